// npm run bench:scenarios — kill-master at --node-timeout 3000 from a cold start (platform up,
// bootstrap, app, scenario, report, down), as a user runs it, against a baseline measured in the
// same run: the same failover done by hand with redis-server and redis-cli. Last line: JSON.
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LoopbackAllocator } from '../harness/core.ts';
import type { RunSummary } from '../harness/report/summary.ts';

const NODE_TIMEOUT = 3000;
// The scenario's deliberate waits, shortened for the benchmark and reported separately.
const WARMUP = '500-1000';
const SETTLE_MS = 1000;
const root = path.resolve(import.meta.dirname, '..');

const handDir = await mkdtemp(path.join(os.tmpdir(), 'bench-by-hand-'));
const reportDir = await mkdtemp(path.join(os.tmpdir(), 'bench-scenarios-'));
try {
  const hand = await execa('bash', [path.join(import.meta.dirname, 'by-hand-failover.sh'), LoopbackAllocator.random().prefix, handDir, String(NODE_TIMEOUT)], { timeout: 180_000 });
  const [handSyncMs, handFailoverMs, handRejoinMs, handTotalMs] = hand.stdout.trim().split(' ').map(Number) as [number, number, number, number];
  console.log(`by hand: create + first sync ${handSyncMs} ms, failover ${handFailoverMs} ms, old master rejoined in ${handRejoinMs} ms, total ${handTotalMs} ms`);

  const started = performance.now();
  const run = await execa(process.execPath, ['--import', 'tsx', 'harness/cli.ts', '--scenario', 'kill-master', '--node-timeout', String(NODE_TIMEOUT), '--report-dir', reportDir, '--seed', '1'], {
    cwd: root, reject: false, timeout: 300_000, env: { HARNESS_WARMUP_MS: WARMUP, HARNESS_SETTLE_MS: String(SETTLE_MS) },
  });
  const totalMs = Math.round(performance.now() - started);
  const summary = JSON.parse(await readFile(path.join(reportDir, 'latest', 'summary.json'), 'utf8')) as RunSummary;
  const scenario = summary.scenarios[0]!;
  if (run.exitCode !== 0) console.log(run.stdout.split('\n').slice(-15).join('\n'));
  const failoverMs = scenario.metrics.failoverMs;
  const syncMs = summary.timings.replicaSyncMs ?? 0;
  const warmupMs = scenario.schedule.reduce((n, s) => n + s.delayMs, 0);
  const inherentMs = syncMs + (failoverMs ?? 0);
  const deliberateMs = warmupMs + SETTLE_MS;
  console.log(`harness: exit ${run.exitCode}, total ${totalMs} ms (first sync ${syncMs} ms, failover ${failoverMs} ms, warm-up ${warmupMs} ms, settle ${SETTLE_MS} ms)`);
  console.log(JSON.stringify({
    totalMs,
    failoverMs,
    exitCode: run.exitCode,
    replicaSyncMs: syncMs,
    redisInherentMs: inherentMs,
    deliberateWaitsMs: deliberateMs,
    // What the harness adds beyond Redis' own waits and the scenario's deliberate ones.
    overheadRatio: Math.round(((totalMs - inherentMs - deliberateMs) / inherentMs) * 1000) / 1000,
    byHandTotalMs: handTotalMs,
    byHandFailoverMs: handFailoverMs,
    byHandRejoinMs: handRejoinMs,
    // The harness beyond the same steps done by hand, less its deliberate waits, relative to them.
    overheadVsByHand: Math.round(((totalMs - deliberateMs - handTotalMs) / handTotalMs) * 1000) / 1000,
    ratioToByHand: Math.round((totalMs / handTotalMs) * 1000) / 1000,
    nodeTimeoutMs: NODE_TIMEOUT,
  }));
} finally {
  await rm(handDir, { recursive: true, force: true });
  await rm(reportDir, { recursive: true, force: true });
}
