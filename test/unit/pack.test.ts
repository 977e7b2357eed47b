// The package as another project gets it (issue 17 §3): `npm pack`, `npm install` of the tarball
// into an empty folder (from the npm registry: a few minutes), and the `redis-chaos` command run
// there: --help, init, advise on what init wrote, and one real scenario run whose reports land in
// that folder. Everything is removed afterwards.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';

const REPO = path.resolve(import.meta.dirname, '../..');
const INSTALL_MS = 6 * 60_000;

describe('npm pack, installed into an empty project', () => {
  let tmp = '';
  let project = '';
  // No HARNESS_* twin of the test's own environment may steer the runs.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HARNESS_') && !k.startsWith('VITEST') && k !== 'TSX_TSCONFIG_PATH' && k !== 'NODE_OPTIONS'));
  const cmd = (args: string[], timeout = 60_000) =>
    execa('npx', ['redis-chaos', ...args], { cwd: project, env, extendEnv: false, reject: false, timeout });

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'redis-chaos-pack-'));
    const packed = await execa('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: REPO, timeout: 60_000 });
    const { filename } = (JSON.parse(packed.stdout) as [{ filename: string }])[0];
    project = path.join(tmp, 'project');
    await mkdir(project);
    await execa('npm', ['init', '-y'], { cwd: project, timeout: 60_000 });
    const started = Date.now();
    await execa('npm', ['install', '--no-audit', '--no-fund', path.join(tmp, filename)], { cwd: project, timeout: INSTALL_MS });
    console.log(`npm install of the tarball: ${Date.now() - started} ms`);
  }, INSTALL_MS + 60_000);

  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('ships the scenarios, the app and the seed\'s manifests, and no tests but the scenarios', async () => {
    const pkg = path.join(project, 'node_modules', 'redis-chaos');
    for (const f of ['bin/redis-chaos.mjs', 'scenarios/kill-master.test.ts', 'app/hit-counter/main.ts', 'app/hit-counter/Dockerfile', 'manifests/redis-cluster/statefulset.yaml', 'vitest.config.ts', 'scripts/setup.sh']) {
      expect(existsSync(path.join(pkg, f)), f).toBe(true);
    }
    const files = (await readdir(pkg, { recursive: true })).map(String);
    expect(files.filter((f) => f.endsWith('.test.ts') && !f.startsWith('scenarios/'))).toEqual([]);
  });

  it('redis-chaos --help lists the commands; an unknown one is one line, exit 2', async () => {
    const help = await cmd(['--help']);
    expect(help.exitCode).toBe(0);
    for (const c of ['scenarios', 'gate', 'advise', 'check', 'init', 'report', 'summary', 'setup']) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    const setup = await cmd(['setup']); // this machine has every package: it says so and installs nothing
    expect(setup.exitCode).toBe(0);
    expect(setup.stdout).toMatch(/^setup: nothing to install/);
    const bad = await cmd(['frobnicate']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toBe('redis-chaos: unknown command frobnicate; valid: scenarios, gate, advise, check, init, report, summary, setup (redis-chaos --help)');
  });

  it('redis-chaos init writes the seed\'s manifests and a workflow, one line per file, and refuses to overwrite them', async () => {
    const init = await cmd(['init']);
    expect(init.stderr).toBe('');
    expect(init.exitCode).toBe(0);
    const wrote = init.stdout.split('\n').filter((l) => l.startsWith('wrote ')).map((l) => l.slice('wrote '.length));
    expect(wrote.sort()).toEqual([
      '.github/workflows/redis-chaos.yml',
      'k8s/redis-cluster/hit-counter/deployment.yaml', 'k8s/redis-cluster/hit-counter/service.yaml',
      'k8s/redis-cluster/redis-cluster/configmap.yaml', 'k8s/redis-cluster/redis-cluster/service.yaml', 'k8s/redis-cluster/redis-cluster/statefulset.yaml',
    ]);
    for (const f of wrote) expect(existsSync(path.join(project, f)), f).toBe(true);
    expect(await readFile(path.join(project, 'k8s/redis-cluster/redis-cluster/configmap.yaml'), 'utf8')).toBe(await readFile(path.join(REPO, 'manifests/redis-cluster/configmap.yaml'), 'utf8'));
    const workflow = YAML.parse(await readFile(path.join(project, '.github/workflows/redis-chaos.yml'), 'utf8')) as { on: { pull_request: { paths: string[] } }; env: Record<string, string>; jobs: Record<string, { steps: { run?: string }[] }> };
    expect(workflow.on.pull_request.paths).toContain('k8s/redis-cluster/**');
    // What the project's package.json says it installed: here the tarball (redis-chaos is not on the registry).
    expect(workflow.env).toMatchObject({ REDIS_CHAOS: expect.stringMatching(/^file:.*redis-chaos-0\.1\.0\.tgz$/), MANIFESTS: 'k8s/redis-cluster' });
    expect(init.stdout).toContain(`the workflow installs ${workflow.env.REDIS_CHAOS} (from package.json)`);
    const runs = Object.values(workflow.jobs).flatMap((j) => j.steps.map((s) => s.run ?? '')).join('\n');
    expect(runs).toContain('redis-chaos scenarios --manifests "$MANIFESTS"');
    expect(runs).toContain('redis-chaos gate --baseline "origin/$BASE_REF" --candidate HEAD --manifests "$MANIFESTS"');

    const again = await cmd(['init']);
    expect(again.exitCode).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr.split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/^redis-chaos init: k8s\/redis-cluster\/hit-counter\/deployment\.yaml already exists \(and 5 more/);
  });

  it('redis-chaos advise reads the manifests init wrote, relative to the project', async () => {
    const advise = await cmd(['advise', '--manifests', 'k8s/redis-cluster']);
    expect(advise.stderr).toBe('');
    expect(advise.exitCode).toBe(1); // the seed's manifests carry risks (no PodDisruptionBudget, …)
    expect(advise.stdout).toMatch(/^k8s\/redis-cluster\/redis-cluster\/statefulset\.yaml:\d+ +pod-disruption-budget /m);
    expect(advise.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ risks?, \d+ notes? \(k8s\/redis-cluster\)$/);
  });

  it('redis-chaos scenarios runs kill-master from the project, reports in its ./reports', async () => {
    const started = Date.now();
    const run = await cmd(['scenarios', '--manifests', 'k8s/redis-cluster', '--scenario', 'kill-master', '--node-timeout', '2000', '--redis-config', 'repl-diskless-sync-delay=0'], 240_000);
    console.log(`redis-chaos scenarios kill-master from the installed package: ${Date.now() - started} ms`);
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^verdict: passed \(exit 0\)$/m);
    expect(run.stdout).toMatch(/^report: reports\/\d{8}-\d{6}-[0-9a-f]{4}\/report\.html  \(redis-chaos report for Allure\)$/m);
    const summary = JSON.parse(await readFile(path.join(project, 'reports', 'latest', 'summary.json'), 'utf8')) as { status: string; scenarios: { name: string; status: string }[] };
    expect(summary.status).toBe('passed');
    expect(summary.scenarios.map((s) => [s.name, s.status])).toEqual([['kill-master', 'passed']]);
    const markdown = await cmd(['summary']);
    expect(markdown.exitCode).toBe(0);
    expect(markdown.stdout).toContain('kill-master');
    const allure = await cmd(['report'], 300_000);
    expect(allure.exitCode, `${allure.stdout}\n${allure.stderr}`).toBe(0);
    expect(allure.stdout).toMatch(/^Allure report: reports\/\d{8}-\d{6}-[0-9a-f]{4}\/allure-report\/index\.html /m);
    expect(existsSync(path.join(project, 'reports', 'latest', 'allure-report', 'index.html'))).toBe(true);
  }, 600_000);
});
