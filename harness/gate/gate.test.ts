import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.ts';
import { emptyMetrics, type ScenarioMetrics, type ScenarioResult } from '../scenario/result.ts';
import { leftoversOf } from '../testing/live-cli.ts';
import { REPO_MANIFESTS } from '../testing/local-cluster.ts';
import { sleep } from '../util/wait.ts';
import { compareScenario, DEFAULT_THRESHOLDS } from './compare.ts';
import { assertDistinct, resolveSide } from './inputs.ts';
import { gateHtml, gateMarkdown, gateSummaryLines, type GateResult } from './report.ts';

/** PIDs of the processes whose command line names `text`. */
async function processesNaming(text: string): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  const found: string[] = [];
  for (const pid of pids) if ((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes(text)) found.push(`process ${pid}`);
  return found;
}

const EXAMPLE_MANIFESTS = path.resolve(import.meta.dirname, '../../examples/hardened');

// Every temporary folder (and the guard test's kubeconfig beside its folder) goes when the file ends.
const made: string[] = [];
async function tmpDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(dir, `${dir}.kubeconfig`);
  return dir;
}
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

/** `npm run gate` on kill-master, baseline the repo's manifests, watched until both runs are under load. */
async function gateUnderLoad(prefix: string, { detached = false } = {}) {
  const reportDir = await tmpDir(prefix);
  const cli = path.join(import.meta.dirname, '..', 'gate-cli.ts');
  const child = execa(process.execPath, ['--import', 'tsx', cli, '--baseline', REPO_MANIFESTS, '--candidate', EXAMPLE_MANIFESTS,
    '--scenario', 'kill-master', '--repeat', '1', '--report-dir', reportDir], { reject: false, buffer: false, detached, timeout: 120_000, forceKillAfterDelay: false, env: { CI: '' } });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  // Once both runs' scenarios are under load, so that each has a partial history to record.
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if ((out.match(/kill-master \(\+[\d:.]+\): load started/g) ?? []).length === 2) resolve();
    });
    child.once('exit', () => reject(new Error(`the gate ended before both runs were under load:\n${out}${err}`)));
  });
  return { child, reportDir, output: () => out + err, stdout: () => out, stderr: () => err };
}

/** The gate's record says why it stopped; each run recorded its scenario as interrupted, partial; nothing of them is left. */
async function expectInterruptedInOrder(g: Awaited<ReturnType<typeof gateUnderLoad>>, runsSignal: string, gateError: string) {
  const gateDir = path.join(g.reportDir, (await readdir(g.reportDir)).find((d) => d.startsWith('gate-'))!);
  expect(JSON.parse(await readFile(path.join(gateDir, 'gate.json'), 'utf8'))).toMatchObject({ exitCode: 2, error: gateError });
  const runIds = [...g.stdout().matchAll(/setup: run (\S+),/g)].map((m) => m[1]!);
  expect(runIds, g.output()).toHaveLength(2);
  for (const side of ['baseline', 'candidate']) {
    const summary = JSON.parse(await readFile(path.join(gateDir, `${side}-1`, 'latest', 'summary.json'), 'utf8')) as { interruptedBy: string; scenarios: { status: string; partial?: boolean }[] };
    expect(summary, side).toMatchObject({ interruptedBy: runsSignal, scenarios: [{ status: 'interrupted', partial: true }] });
  }
  // The gate waited for its runs: nothing of them is left when it exits.
  expect([...(await Promise.all(runIds.map((id) => leftoversOf(id, null)))).flat(), ...(await processesNaming(g.reportDir))]).toEqual([]);
}

const run = (status: ScenarioResult['status'], m: Partial<ScenarioMetrics> = {}): ScenarioResult => ({
  name: 'kill-master', status, startedAt: '', durationMs: 30_000, seed: 1, schedule: [], faults: [], checks: [], error: null,
  metrics: { ...emptyMetrics(), failoverMs: 19_500, recoveryMs: 25_000, maxUnavailableMs: 19_600, lostAcknowledged: 0, p99LatencyMs: 5, ...m },
});

describe('the gate\'s inputs', () => {
  it('reads a git ref\'s manifests/ through git archive, leaving the work tree alone', async () => {
    const repo = await tmpDir('gate-repo-');
    const git = (...a: string[]) => execa('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', ...a]);
    await git('init', '-q');
    await cp(REPO_MANIFESTS, path.join(repo, 'manifests'), { recursive: true });
    await git('add', '.');
    await git('commit', '-qm', 'v1');
    await git('tag', 'v1');
    const cm = path.join(repo, 'manifests', 'redis-cluster', 'configmap.yaml');
    await writeFile(cm, (await readFile(cm, 'utf8')).replace('cluster-node-timeout 15000', 'cluster-node-timeout 25000'));
    await git('commit', '-qam', 'v2');
    const into = await tmpDir('gate-into-');
    const side = await resolveSide('baseline', 'v1', { repo, manifests: 'manifests', cwd: repo }, into);
    expect(side).toMatchObject({ kind: 'ref', dir: path.join(into, 'baseline', 'manifests') });
    expect(await readFile(path.join(side.dir, 'redis-cluster', 'configmap.yaml'), 'utf8')).toContain('cluster-node-timeout 15000');
    expect(await readFile(cm, 'utf8')).toContain('cluster-node-timeout 25000'); // the work tree is untouched
    expect((await git('status', '--porcelain')).stdout).toBe('');
  });

  it('refuses, in one line, a ref that does not exist, a folder with no StatefulSet, and the same folder twice', async () => {
    const into = await tmpDir('gate-into-');
    const repo = path.resolve(REPO_MANIFESTS, '..');
    const refs = { repo, manifests: 'manifests', cwd: repo };
    await expect(resolveSide('candidate', 'no-such-ref-xyz', refs, into)).rejects.toThrow(new HarnessError(`--candidate no-such-ref-xyz: neither a folder nor a git ref of ${repo}`));
    const empty = path.join(into, 'empty');
    await mkdir(path.join(empty, 'redis-cluster'), { recursive: true });
    await writeFile(path.join(empty, 'redis-cluster', 'service.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: 6379}]}\n');
    const error = await resolveSide('baseline', empty, refs, into).then(() => new Error('resolved'), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(HarnessError);
    expect(error.message).toMatch(new RegExp(`^--baseline ${empty}: not a valid manifest set: .*StatefulSet`));
    expect(error.message.split('\n')).toHaveLength(1);
    const a = await resolveSide('baseline', REPO_MANIFESTS, refs, into);
    const b = await resolveSide('candidate', `${REPO_MANIFESTS}/`, refs, into);
    expect(() => assertDistinct(a, b)).toThrow(/^--baseline and --candidate are the same folder/);
  });

  it('npm run gate on bad input: exit 2, one line, and not even its own folder left', async () => {
    const reportDir = await tmpDir('gate-bad-');
    const cli = path.join(import.meta.dirname, '..', 'gate-cli.ts');
    for (const args of [['--baseline', REPO_MANIFESTS, '--candidate', REPO_MANIFESTS], ['--baseline', 'no-such-ref-xyz', '--candidate', REPO_MANIFESTS], ['--candidate', REPO_MANIFESTS]]) {
      const r = await execa(process.execPath, ['--import', 'tsx', cli, ...args, '--report-dir', reportDir], { reject: false, timeout: 30_000 });
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^redis-chaos gate: --(baseline|candidate)/);
    }
    expect(await readdir(reportDir)).toEqual([]);
  });

  // The gate's own crash (a harness bug, planted here): exit 2, not Node's exit 1 (the gate's code
  // for a regression), and gate.json says why; its two runs get SIGTERM as it exits, and stop and
  // tear down in order.
  it('npm run gate, crashing mid-run on an error nothing awaited: exit 2, and its runs leave nothing behind', async () => {
    const reportDir = await tmpDir('gate-crash-');
    const cli = path.join(import.meta.dirname, '..', 'gate-cli.ts');
    const plant = path.join(import.meta.dirname, '..', 'testing', 'fixtures', 'plant-error.mjs');
    const r = await execa(process.execPath, ['--import', 'tsx', '--import', plant, cli, '--baseline', REPO_MANIFESTS, '--candidate', EXAMPLE_MANIFESTS,
      // Once both runs have printed their first line, whatever the machine's speed (a fixed 6 s came
      // before the second run's first line under the full suite's load on a slower machine).
      '--scenario', 'kill-master', '--repeat', '1', '--report-dir', reportDir], { reject: false, timeout: 60_000, env: { CI: '', PLANT: 'reject', PLANT_AFTER_LINES: '2:setup: run ' } });
    expect(r.exitCode, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain('redis-chaos gate: internal error: planted rejection');
    // Its record says so, as a CI job reading gate.json would want.
    const gateDir = path.join(reportDir, (await readdir(reportDir)).find((d) => d.startsWith('gate-'))!);
    expect(JSON.parse(await readFile(path.join(gateDir, 'gate.json'), 'utf8'))).toMatchObject({ exitCode: 2, error: 'internal error: planted rejection', scenarios: [] });
    const runIds = [...r.stdout.matchAll(/setup: run (\S+),/g)].map((m) => m[1]!);
    expect(runIds, r.stdout).toHaveLength(2);
    // The runs stop on their own once the gate has gone: wait (bounded) until both have, their
    // `npm run scenarios` processes (found by the gate's report folder on their command lines) too.
    const deadline = Date.now() + 60_000;
    let left: string[] = [];
    do {
      left = [...(await Promise.all(runIds.map((id) => leftoversOf(id, null)))).flat(), ...(await processesNaming(reportDir))];
      if (left.length) await sleep(500);
    } while (left.length && Date.now() < deadline);
    expect(left).toEqual([]);
  }, 150_000);

  // `npm run gate | head`: the reader goes mid-run. The gate tells its runs as a cancelled CI job
  // is told (SIGTERM), waits while each records and tears down, and exits 141 with its own record.
  it('npm run gate, its output closed mid-run: exit 141, its runs interrupted in order, nothing left behind', async () => {
    const g = await gateUnderLoad('gate-closed-');
    g.child.stdout!.destroy();
    const r = await g.child;
    expect(r.exitCode, g.output()).toBe(141);
    expect(g.stderr()).not.toMatch(/EPIPE|\n\s+at /);
    await expectInterruptedInOrder(g, 'SIGTERM', 'interrupted: the output was closed (SIGPIPE)');
  }, 150_000);

  // Ctrl-C in a terminal: the whole process group at once, the gate and both runs, and npm's
  // forwarded copy to the gate. Before the gate owned its signals, Node ended it at once (killed
  // by SIGINT, no gate.json), and its runs, orphaned, stopped on their own signal's copy.
  it('npm run gate, interrupted as a terminal interrupts it: exit 130, its runs interrupted in order, nothing left behind', async () => {
    const g = await gateUnderLoad('gate-sigint-', { detached: true });
    process.kill(-g.child.pid!, 'SIGINT');
    setTimeout(() => g.child.kill('SIGINT'), 50);
    const r = await g.child;
    expect(r.exitCode, g.output()).toBe(130);
    expect(g.stderr()).not.toMatch(/\n\s+at /);
    await expectInterruptedInOrder(g, 'SIGINT', 'interrupted by SIGINT');
  }, 150_000);

  it('takes --context and --allow-context on Kubernetes, and the guard speaks before anything runs', async () => {
    const reportDir = await tmpDir('gate-guard-');
    const kubeconfig = path.join(reportDir, '..', `${path.basename(reportDir)}.kubeconfig`);
    await writeFile(kubeconfig, ['apiVersion: v1', 'kind: Config', 'current-context: staging', 'clusters:', '- name: c', '  cluster: {server: "https://127.0.0.1:1"}',
      'users:', '- name: u', '  user: {token: t}', 'contexts:', '- name: staging', '  context: {cluster: c, user: u}', ''].join('\n'));
    const cli = path.join(import.meta.dirname, '..', 'gate-cli.ts');
    const gate = (...extra: string[]) => execa(process.execPath, ['--import', 'tsx', cli, '--baseline', REPO_MANIFESTS, '--candidate', EXAMPLE_MANIFESTS, '--platform', 'kubernetes', '--report-dir', reportDir, ...extra],
      { reject: false, timeout: 30_000, env: { KUBECONFIG: kubeconfig } });
    const refused = await gate();
    expect([refused.exitCode, refused.stderr.trim()]).toEqual([2, expect.stringMatching(/^redis-chaos gate: refusing to inject faults into kubeconfig context "staging".*; pass --allow-context staging if this cluster is meant for chaos$/)]);
    const wrong = await gate('--context', 'staging', '--allow-context', 'stagin');
    expect([wrong.exitCode, wrong.stderr.trim()]).toEqual([2, expect.stringMatching(/--allow-context names "stagin", not "staging"/)]);
    expect(await readdir(reportDir)).toEqual([]);
    await rm(kubeconfig, { force: true });
  });
});

const CHROMIUM = '/usr/bin/chromium';
const three = (m: Partial<ScenarioMetrics> = {}) => [run('passed', m), run('passed', m), run('passed', m)];
const side = (label: 'baseline' | 'candidate') => ({ label, spec: label === 'baseline' ? 'origin/main' : 'HEAD', kind: 'ref' as const, dir: '/x', commit: 'a'.repeat(40) });
const gateOf = (repeat: number, scenarios: GateResult['scenarios']): GateResult => ({ gateId: 'g', verdict: 'regressed', exitCode: 1, error: null, baseline: side('baseline'), candidate: side('candidate'), repeat, serial: false, seed: 1, thresholds: DEFAULT_THRESHOLDS, runs: [], scenarios });

describe('gate.md and gate.json', () => {
  it('say when the change scales the cluster, and not when the shape stays', () => {
    const g = gateOf(3, []);
    expect(gateMarkdown(g)).not.toContain('The shape changes');
    g.baseline.shape = { masters: 3, replicasPerMaster: 1 };
    g.candidate.shape = { masters: 3, replicasPerMaster: 1 };
    expect(gateMarkdown(g)).not.toContain('The shape changes');
    g.candidate.shape = { masters: 3, replicasPerMaster: 2 };
    expect(gateMarkdown(g)).toContain('**The shape changes:** 3 × 1 → 3 × 2 (masters × replicas per master): each side\'s scenarios run on its own shape, and the figures compare the two.');
  });

  it('the terminal\'s summary counts the runs that passed on each side, and says why a scenario regressed', () => {
    const crash = compareScenario('crash-master', [run('passed'), run('passed'), run('failed')], [run('failed', { recoveryMs: null }), run('failed', { recoveryMs: null }), run('error', { recoveryMs: null })]);
    const kill = compareScenario('kill-master', three(), three());
    expect(gateSummaryLines(gateOf(3, [crash, kill]))).toEqual([
      '  crash-master             regressed  passed 2/3 → 0/3  not passed in 3/3 candidate runs (failed, failed, error) against 1/3 baseline runs; recoveryMs: 25000 → never (limit 37500)',
      '  kill-master              same       passed 3/3 → 3/3',
    ]);
  });

  it('show each side\'s failures and a missing figure as never, and say when the repeat is below the default', () => {
    const crash = compareScenario('crash-master', [run('passed'), run('passed'), run('failed')], [run('failed', { recoveryMs: null }), run('failed', { recoveryMs: null }), run('error', { recoveryMs: null })]);
    const md = gateMarkdown(gateOf(3, [crash]));
    expect(md).toContain('| crash-master | ❌ regressed | passed,passed,failed → failed,failed,error | 1/3 → 3/3 | not passed in 3/3 candidate runs (failed, failed, error) against 1/3 baseline runs; recoveryMs: 25000 → never (limit 37500) |');
    expect(md).toContain('| crash-master | recoveryMs | 25000, 25000, 25000 | never, never, never | never | 37500 | regressed |');
    expect(md).not.toContain('**Note:**');
    expect(gateMarkdown(gateOf(1, []))).toContain('**Note:** 1 run(s) per side, fewer than the default 3');
    expect(md).toContain('3 run(s) per side, seed 1.');
    expect(gateMarkdown({ ...gateOf(3, []), serial: true })).toContain('3 run(s) per side, one side at a time (--serial), seed 1.');
    expect(JSON.parse(JSON.stringify(crash)).figures.find((f: { figure: string }) => f.figure === 'recoveryMs')).toMatchObject({ candidate: [null, null, null], candidateMissing: 3, candidateMedian: 'never', limit: 37_500 });
  });
});

describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('gate.html in a real browser', () => {
  it('shows the verdict first, then each scenario\'s failures and figures side by side, never as never', async () => {
    const scenarios = [
      compareScenario('kill-master', three(), [run('passed', { failoverMs: 40_000 }), run('passed', { failoverMs: 41_000 }), run('failed', { failoverMs: 39_000, recoveryMs: null })]),
      compareScenario('delete-pod-0', three(), three()),
    ];
    const g = gateOf(3, scenarios);
    expect(gateMarkdown(g)).toContain('| kill-master | ❌ regressed | passed,passed,passed → passed,passed,failed | 0/3 → 1/3 | failoverMs: 19500 → 40000 (limit 24375) |');
    const dir = await tmpDir('gate-html-');
    await writeFile(path.join(dir, 'gate.html'), gateHtml(g));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${path.join(dir, 'gate.html')}`);
      expect(await page.locator('h1#verdict').innerText()).toBe('Regression (exit 1)');
      expect(await page.locator('section[data-scenario="kill-master"] tr.regressed td:first-child').allInnerTexts()).toEqual(['failoverMs']);
      expect(await page.locator('section[data-scenario="kill-master"] .failures').innerText()).toBe('0/3 → 1/3');
      expect(await page.locator('section[data-scenario="kill-master"] tr.same', { hasText: 'recoveryMs' }).locator('td').allInnerTexts())
        .toEqual(['recoveryMs', '25000, 25000, 25000', '25000, 25000, never', '25000 → 25000', '37500', 'same', '']);
      // Unchanged rows read as plain table rows: no dark fill behind dark text (issue 17).
      const sameRow = page.locator('section[data-scenario="delete-pod-0"] tr.same td').first();
      expect(await sameRow.evaluate((td) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(td).backgroundColor)).toMatch(/^rgba\(0, 0, 0, 0\)$|^rgb\(255, 255, 255\)$/);
      expect(await page.locator('section[data-scenario="delete-pod-0"] .badge.same').evaluate((b) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(b).backgroundColor)).toBe('rgb(108, 117, 125)');
      // Each figure's runs as dots, the limit as a line; a run without the figure past the edge, hollow.
      const chart = page.locator('section[data-scenario="kill-master"] tr', { hasText: 'failoverMs' }).locator('svg.figure-chart');
      expect(await chart.locator('circle').count()).toBe(6);
      expect(await chart.locator('line.limit').count()).toBe(1);
      const recovery = page.locator('section[data-scenario="kill-master"] tr', { hasText: 'recoveryMs' }).locator('svg.figure-chart');
      expect(await recovery.locator('circle[fill="none"]').count()).toBe(1);
      expect(await page.locator('section[data-scenario="delete-pod-0"] tr.regressed').count()).toBe(0);
      expect(await page.locator('.note').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
