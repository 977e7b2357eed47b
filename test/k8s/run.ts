// Runs `npm run scenarios` (and the gate) on the project's Kubernetes node as a user would: the
// CLI in a child process, KUBECONFIG pointing at the node, --allow-context naming its context.
// Each run's output goes to a log beside its reports; its summary.json is what the tests judge.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { appendFile, cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunSummary } from '../../harness/report/summary.ts';
import type { ScenarioResult } from '../../harness/scenario/result.ts';
import { scenariosArgv } from '../../harness/cli/entry.ts';
import { REPO, type NodeInfo } from './node.ts';

export const REPORTS = path.resolve(process.env.K8S_TEST_REPORTS ?? path.join(REPO, 'reports', 'k8s-tests'));

export interface CliRun {
  exitCode: number | null;
  summary: RunSummary | null;
  log: string;
  stderr: string;
}

/** `node <argv>` in the repo, its output to `log`; SIGINT at `timeoutMs`, as a Ctrl-C would. */
function runNode(argv: string[], node: NodeInfo, log: string, timeoutMs: number): Promise<{ exitCode: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(log);
    let stderr = '';
    const child = spawn(process.execPath, argv, {
      cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECONFIG: node.kubeconfig, CI: process.env.CI ?? '' },
    });
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.stdout.pipe(out, { end: false });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      out.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      out.end(() => resolve({ exitCode: code, stderr }));
    });
  });
}

/** `npm run scenarios -- --platform kubernetes …` on the node; its summary, exit code and log. */
export async function scenariosOnNode(node: NodeInfo, name: string, args: string[], timeoutMs = 30 * 60_000): Promise<CliRun> {
  const reportDir = path.join(REPORTS, name);
  await mkdir(reportDir, { recursive: true });
  const log = path.join(reportDir, 'cli.log');
  const { exitCode, stderr } = await runNode(scenariosArgv(['--platform', 'kubernetes', '--allow-context', node.context, '--report-dir', reportDir, ...args]), node, log, timeoutMs);
  const summary = await readFile(path.join(reportDir, 'latest', 'summary.json'), 'utf8').then((t) => JSON.parse(t) as RunSummary, () => null);
  return { exitCode, summary, log, stderr };
}

/** `npm run gate -- --platform kubernetes …` on the node. */
export async function gateOnNode(node: NodeInfo, name: string, args: string[], timeoutMs = 30 * 60_000): Promise<{ exitCode: number | null; log: string; stdout: string; dir: string | null }> {
  const reportDir = path.join(REPORTS, name);
  await mkdir(reportDir, { recursive: true });
  const log = path.join(reportDir, 'cli.log');
  const { exitCode } = await runNode(['--import', 'tsx', path.join(REPO, 'harness/gate-cli.ts'), '--platform', 'kubernetes', '--allow-context', node.context, '--report-dir', reportDir, ...args], node, log, timeoutMs);
  const stdout = await readFile(log, 'utf8');
  // The gate's folder (each side's runs in it, <side>-<i>/latest), as its last line names it from the repo.
  const report = /^report: (\S+)\/gate\.html/m.exec(stdout);
  return { exitCode, log, stdout, dir: report ? path.resolve(REPO, report[1]!) : null };
}

/** One line per scenario with the figures docs/kubernetes.md's fidelity table compares, kept for the note. */
export async function recordFigures(platform: string, manifests: string, scenarios: ScenarioResult[]): Promise<string[]> {
  const lines = scenarios.map((s) => {
    const gaps = (s.shards ?? []).map((sh) => (sh.maxUnavailableMs === null ? '–' : `${(sh.maxUnavailableMs / 1000).toFixed(1)}`)).join(' / ');
    const failover = s.metrics.failoverMs === null ? '–' : `${(s.metrics.failoverMs / 1000).toFixed(1)} s`;
    return `| ${s.name} | ${manifests} | ${platform} | ${s.status} | ${failover} | ${gaps || '–'} s | ${(s.durationMs / 1000).toFixed(0)} s |`;
  });
  await mkdir(REPORTS, { recursive: true });
  await appendFile(path.join(REPORTS, 'figures.md'), `${lines.join('\n')}\n`);
  return lines;
}

/** What a failing expectation should show: the scenario's checks that did not pass, or its error. */
export function why(s: ScenarioResult | undefined): string {
  if (!s) return 'not in the summary';
  return s.error ?? s.checks.filter((c) => c.valid !== true).map((c) => `${c.name}: ${c.message}`).join(' | ');
}

/** examples/hardened with its PodDisruptionBudget in the API version Kubernetes 1.20 serves (policy/v1 needs 1.21). */
export async function hardenedFor120(): Promise<string> {
  const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'hardened-k8s120-')), 'hardened');
  await cp(path.join(REPO, 'examples', 'hardened'), dir, { recursive: true });
  const pdb = path.join(dir, 'redis-cluster', 'pdb.yaml');
  await writeFile(pdb, (await readFile(pdb, 'utf8')).replace(/^apiVersion: policy\/v1$/m, 'apiVersion: policy/v1beta1'));
  return dir;
}

/**
 * The assertion message for a scenario's verdict: the checks that did not pass (why), and, when
 * the verdict is not the one expected, the trail that says why (scenarioTrail, nodeTrail). CI
 * prints the message and removes the clone, report folder and all: without these lines a failure
 * there could not be read afterwards (CI72's pod that did not listen).
 */
export async function verdictMessage(run: CliRun, name: string, expected: string, node: NodeInfo): Promise<string> {
  const s = run.summary?.scenarios.find((x) => x.name === name);
  const head = `${name}: ${why(s)} (log: ${run.log})`;
  if (s?.status === expected) return head;
  return [head, await scenarioTrail(path.join(path.dirname(run.log), 'latest'), name), await nodeTrail(node)].join('\n');
}

const tail = (text: string, n: number) => text.trimEnd().split('\n').slice(-n).map((l) => `    ${l}`).join('\n');

/**
 * A scenario's last progress lines (the timeline, and the checks that did not pass: the passing
 * ones are in the summary) and the last lines of each of its pods' logs and the app's, from a run
 * folder (`latest` of a --report-dir).
 */
export async function scenarioTrail(runDir: string, name: string, lines = 8): Promise<string> {
  const progress = await readFile(path.join(runDir, 'progress.log'), 'utf8').then((t) => t.split('\n').filter((l) => l.includes(`${name} (`) && !l.includes('): PASS ')).join('\n'), () => '');
  const logsDir = path.join(runDir, 'scenarios', name, 'logs');
  const logs = await readdir(logsDir).catch(() => [] as string[]);
  const parts = [`--- ${name}'s last progress lines (passing checks left out)`, tail(progress || '(none)', 3 * lines)];
  for (const file of logs.sort()) parts.push(`--- ${file} (last lines)`, tail((await readFile(path.join(logsDir, file), 'utf8').catch(() => '')) || '(empty)', lines));
  return parts.join('\n');
}

/**
 * The node's own side: node-helper's log (the DNS records it gave dnsmasq, the volumes it made)
 * and dnsmasq's (each re-read of those records). They go with the node when it is removed, and a
 * pod that waits for its peers' names (examples/hardened's start.sh) waits on them.
 */
export async function nodeTrail(node: NodeInfo, lines = 8): Promise<string> {
  const parts: string[] = [];
  for (const file of ['node-helper.log', 'dnsmasq.log']) {
    parts.push(`--- the node's ${file} (last lines)`, tail((await readFile(path.join(node.logs, file), 'utf8').catch(() => '')) || '(empty)', lines));
  }
  return parts.join('\n');
}
