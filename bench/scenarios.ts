// npm run bench:scenarios [-- --redis-config KEY=VALUE ...] — kill-master at --node-timeout 3000
// from a cold start (platform up, bootstrap, app, fault, promotion, rejoin, report, down), as a
// user runs it, against a baseline measured in the same run: the same failover done by hand with
// redis-server and redis-cli, at the same Redis settings, after the same check that the cluster is
// ok (by-hand-failover.sh). Where the time goes is read off the progress lines as they arrive.
// Last line: JSON.
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scenariosArgv } from '../harness/cli/entry.ts';
import { LoopbackAllocator } from '../harness/core.ts';
import { redisConfigFlags } from './flags.ts';
import type { RunSummary } from '../harness/report/summary.ts';

const NODE_TIMEOUT = 3000;
// The scenario's deliberate waits, shortened for the benchmark and reported separately.
const WARMUP = '500-1000';
const SETTLE_MS = 1000;
const root = path.resolve(import.meta.dirname, '..');
const overrides = redisConfigFlags('scenarios');
const redisArgs = overrides.flatMap(({ key, value }) => [`--${key}`, value]);

// Each phase ends at the first progress line containing its marker.
const PHASES: [string, string][] = [
  ['startUp', 'setup: run '], // node, tsx, vitest and the run's header
  ['platformUp', 'platform up:'],
  ['clusterCreate', "replicas' first sync"], // the line carries both; split below
  ['appUp', 'hit counter serving'],
  ['scenarioStart', '): load started'], // worker start, health check, baseline read
  ['warmUp', 'killed and held down'],
  ['failover', 'promoted to master'],
  ['rejoin', 'recovered:'], // restart, the old master's resync as a replica, every node's own view ready
  ['settle', '): verdict:'], // settle under load, final read, checkers
  ['report', 'report: '], // artifacts, teardown of the session, summary and report.html
];

class BaselineFailed extends Error {}

const handDir = await mkdtemp(path.join(os.tmpdir(), 'bench-by-hand-'));
const reportDir = await mkdtemp(path.join(os.tmpdir(), 'bench-scenarios-'));
try {
  const hand = await execa('bash', [path.join(import.meta.dirname, 'by-hand-failover.sh'), LoopbackAllocator.random().prefix, handDir, String(NODE_TIMEOUT), ...redisArgs], { timeout: 180_000, reject: false });
  if (hand.exitCode !== 0) {
    // The baseline's own failure, in one line and with what the nodes said, not a stack trace.
    const logs = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => readFile(path.join(handDir, String(n), 'log'), 'utf8').then((t) => `node ${n}: ${t.trim().split('\n').slice(-2).join(' / ')}`, () => '')));
    console.error(`bench:scenarios: the by-hand baseline failed (${hand.timedOut ? 'timed out' : `exit ${hand.exitCode}`}): ${hand.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
    for (const line of logs.filter(Boolean)) console.error(`  ${line}`);
    process.exitCode = 2;
    throw new BaselineFailed();
  }
  const [handSyncMs, handFailoverMs, handRejoinMs, handTotalMs, handVerifyMs] = hand.stdout.trim().split(' ').map(Number) as [number, number, number, number, number];
  console.log(`by hand: create + first sync + cluster_state:ok ${handSyncMs} ms (the last ${handVerifyMs} ms), failover ${handFailoverMs} ms, old master rejoined in ${handRejoinMs} ms, total ${handTotalMs} ms`);

  const started = performance.now();
  const lines: { atMs: number; text: string }[] = [];
  const child = execa(process.execPath, scenariosArgv(['--scenario', 'kill-master', '--node-timeout', String(NODE_TIMEOUT), '--report-dir', reportDir, '--seed', '1',
    ...overrides.flatMap(({ key, value }) => ['--redis-config', `${key}=${value}`])]), {
    cwd: root, reject: false, timeout: 300_000, buffer: false, env: { HARNESS_WARMUP_MS: WARMUP, HARNESS_SETTLE_MS: String(SETTLE_MS) },
  });
  let pending = '';
  child.stdout!.on('data', (d: Buffer) => {
    const atMs = performance.now() - started;
    pending += d.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    for (const text of parts) lines.push({ atMs, text });
  });
  const run = await child;
  const totalMs = Math.round(performance.now() - started);
  const summary = JSON.parse(await readFile(path.join(reportDir, 'latest', 'summary.json'), 'utf8')) as RunSummary;
  const scenario = summary.scenarios[0]!;
  if (run.exitCode !== 0) console.log(lines.slice(-15).map((l) => l.text).join('\n'));

  const parts: Record<string, number> = {};
  let previous = 0;
  for (const [name, marker] of PHASES) {
    const at = lines.find((l) => l.text.includes(marker))?.atMs;
    if (at === undefined) continue;
    parts[name] = Math.round(at - previous);
    previous = at;
  }
  // The cluster line is printed once the first sync and the hit counter are both done: split its
  // phase by the times the run states, the app's wait beyond the sync being the rest, so that the
  // parts still add up to the total.
  const create = summary.timings.clusterCreateMs ?? 0;
  if (parts.clusterCreate !== undefined) {
    const wall = parts.clusterCreate;
    parts.firstSync = summary.timings.replicaSyncMs ?? 0;
    parts.clusterCreate = create;
    parts.appUp = (parts.appUp ?? 0) + Math.max(0, wall - create - parts.firstSync);
  }
  parts.exit = Math.round(totalMs - previous); // vitest's close, the verdict print, process exit
  console.log(`harness: exit ${run.exitCode}, total ${totalMs} ms: ${Object.entries(parts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(JSON.stringify({
    totalMs,
    failoverMs: scenario.metrics.failoverMs,
    exitCode: run.exitCode,
    redisSettings: { 'cluster-node-timeout': String(NODE_TIMEOUT), ...Object.fromEntries(overrides.map((o) => [o.key, o.value])) },
    parts,
    deliberateWaitsMs: scenario.schedule.reduce((n, s) => n + s.delayMs, 0) + SETTLE_MS,
    byHandTotalMs: handTotalMs,
    byHandSyncMs: handSyncMs,
    byHandFailoverMs: handFailoverMs,
    byHandRejoinMs: handRejoinMs,
    byHandVerifyMs: handVerifyMs,
    ratioToByHand: Math.round((totalMs / handTotalMs) * 1000) / 1000,
    // Against the baseline as it was before it waited for cluster_state:ok, for the earlier figures.
    ratioToByHandWithoutVerify: Math.round((totalMs / (handTotalMs - handVerifyMs)) * 1000) / 1000,
  }));
} catch (error) {
  if (!(error instanceof BaselineFailed)) throw error;
} finally {
  await rm(handDir, { recursive: true, force: true });
  await rm(reportDir, { recursive: true, force: true });
}
