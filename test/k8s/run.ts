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
export async function gateOnNode(node: NodeInfo, name: string, args: string[], timeoutMs = 30 * 60_000): Promise<{ exitCode: number | null; log: string; stdout: string }> {
  const reportDir = path.join(REPORTS, name);
  await mkdir(reportDir, { recursive: true });
  const log = path.join(reportDir, 'cli.log');
  const { exitCode } = await runNode(['--import', 'tsx', path.join(REPO, 'harness/gate-cli.ts'), '--platform', 'kubernetes', '--allow-context', node.context, '--report-dir', reportDir, ...args], node, log, timeoutMs);
  return { exitCode, log, stdout: await readFile(log, 'utf8') };
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
 * the verdict is not the one expected, the last lines of the scenario's progress and of each of
 * its pods' logs. CI prints the message and removes the clone, report folder and all: without
 * these lines a failure there could not be read afterwards (CI72's pod that did not listen).
 */
export async function verdictMessage(run: CliRun, name: string, expected: string, lines = 8): Promise<string> {
  const s = run.summary?.scenarios.find((x) => x.name === name);
  const head = `${name}: ${why(s)} (log: ${run.log})`;
  if (s?.status === expected) return head;
  const latest = path.join(path.dirname(run.log), 'latest');
  const tail = (text: string, n: number) => text.trimEnd().split('\n').slice(-n).map((l) => `    ${l}`).join('\n');
  const progress = await readFile(path.join(latest, 'progress.log'), 'utf8').then((t) => t.split('\n').filter((l) => l.includes(`${name} (`) && !l.includes('): PASS ')).join('\n'), () => '');
  const logsDir = path.join(latest, 'scenarios', name, 'logs');
  const logs = await readdir(logsDir).catch(() => [] as string[]);
  // The timeline and the checks that did not pass; the passing checks are in the summary.
  const parts = [`--- ${name}'s last progress lines (passing checks left out)`, tail(progress || '(none)', 3 * lines)];
  for (const file of logs.sort()) parts.push(`--- ${file} (last lines)`, tail((await readFile(path.join(logsDir, file), 'utf8').catch(() => '')) || '(empty)', lines));
  return `${head}\n${parts.join('\n')}`;
}
