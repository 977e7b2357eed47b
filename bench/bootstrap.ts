// npm run bench:bootstrap — the repo's manifests on the local platform, against the same steps
// done by hand with shell commands in the same run. Last line: JSON.
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bootstrapCluster, loadManifests, LocalPlatform, LoopbackAllocator, resolveSystem } from '../harness/core.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const system = resolveSystem(await loadManifests(path.resolve(import.meta.dirname, '../manifests')));

async function harnessRound(): Promise<{ podsReadyMs: number; clusterReadyMs: number }> {
  const t0 = performance.now();
  const platform = await new LocalPlatform({ system }).up();
  try {
    const podsReadyMs = performance.now() - t0;
    await bootstrapCluster(platform, system.shape, { readyTimeoutMs: 60_000 });
    return { podsReadyMs, clusterReadyMs: performance.now() - t0 };
  } finally {
    await platform.down();
  }
}

async function byHandRound(): Promise<{ podsReadyMs: number; clusterReadyMs: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-by-hand-'));
  try {
    const { stdout } = await execa('bash', [path.join(import.meta.dirname, 'by-hand-bootstrap.sh'), LoopbackAllocator.random().prefix, dir], { timeout: 120_000 });
    const [pods, cluster] = stdout.trim().split(' ').map(Number);
    return { podsReadyMs: pods!, clusterReadyMs: cluster! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const harness: { podsReadyMs: number; clusterReadyMs: number }[] = [];
const byHand: { podsReadyMs: number; clusterReadyMs: number }[] = [];
for (let i = 0; i < ROUNDS; i++) {
  byHand.push(await byHandRound());
  harness.push(await harnessRound());
  console.log(`round ${i + 1}/${ROUNDS}: harness ${JSON.stringify(harness.at(-1))} by hand ${JSON.stringify(byHand.at(-1))}`);
}
const result = {
  rounds: ROUNDS,
  podsReadyMs: Math.round(median(harness.map((r) => r.podsReadyMs))),
  clusterReadyMs: Math.round(median(harness.map((r) => r.clusterReadyMs))),
  byHandPodsReadyMs: Math.round(median(byHand.map((r) => r.podsReadyMs))),
  byHandClusterReadyMs: Math.round(median(byHand.map((r) => r.clusterReadyMs))),
  ratio: 0,
};
result.ratio = Number((result.clusterReadyMs / result.byHandClusterReadyMs).toFixed(3));
console.log(JSON.stringify(result));
