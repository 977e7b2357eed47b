// npm run bench:bootstrap — the repo's manifests on the local platform, in both isolation modes,
// against the same steps done by hand with shell commands in the same run. Last line: JSON.
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadManifests, LoopbackAllocator, resolveSystem } from '../harness/core.ts';
import { bootstrapRound, type Round } from './bootstrap-round.ts';
import { namespacesUnavailable } from '../harness/platform/local/sandbox/isolation.ts';
import { noFlags } from './flags.ts';

noFlags('bootstrap');

// --cluster create waits for gossip in whole seconds (1-4 s, either side): five rounds for the medians.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const system = resolveSystem(await loadManifests(path.resolve(import.meta.dirname, '../manifests')));

const harnessRound = (isolation: 'processes' | 'namespaces') => bootstrapRound(system, { isolation });

async function byHandRound(): Promise<Round> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-by-hand-'));
  try {
    const { stdout } = await execa('bash', [path.join(import.meta.dirname, 'by-hand-bootstrap.sh'), LoopbackAllocator.random().prefix, dir], { timeout: 120_000 });
    const [pods, cluster, create] = stdout.trim().split(' ').map(Number);
    return { podsReadyMs: pods!, clusterReadyMs: cluster!, createMs: create! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const harness: Round[] = [];
const namespaced: Round[] = [];
const byHand: Round[] = [];
const noNamespaces = await namespacesUnavailable();
if (noNamespaces) console.log(`namespaces mode not measured: ${noNamespaces}`);
for (let i = 0; i < ROUNDS; i++) {
  byHand.push(await byHandRound());
  harness.push(await harnessRound('processes'));
  if (!noNamespaces) namespaced.push(await harnessRound('namespaces'));
  console.log(`round ${i + 1}/${ROUNDS}: processes ${JSON.stringify(harness.at(-1))} namespaces ${JSON.stringify(namespaced.at(-1) ?? null)} by hand ${JSON.stringify(byHand.at(-1))}`);
}
const result = {
  rounds: ROUNDS,
  podsReadyMs: Math.round(median(harness.map((r) => r.podsReadyMs))),
  clusterReadyMs: Math.round(median(harness.map((r) => r.clusterReadyMs))),
  byHandPodsReadyMs: Math.round(median(byHand.map((r) => r.podsReadyMs))),
  byHandClusterReadyMs: Math.round(median(byHand.map((r) => r.clusterReadyMs))),
  ratio: 0,
  // redis-cli --cluster create polls for gossip once a second, on both sides alike: 1-5 s at
  // random. Without it, the rest (start the pods, wait for the first sync) compares like for like.
  createMs: Math.round(median(harness.map((r) => r.createMs))),
  byHandCreateMs: Math.round(median(byHand.map((r) => r.createMs))),
  ratioWithoutCreate: 0,
};
result.ratio = Number((result.clusterReadyMs / result.byHandClusterReadyMs).toFixed(3));
const rest = (rs: Round[]) => median(rs.map((r) => r.clusterReadyMs - r.createMs));
result.ratioWithoutCreate = Number((rest(harness) / rest(byHand)).toFixed(3));
// Namespaces mode against process mode, both measured above, round by round.
const namespaces = namespaced.length ? {
  podsReadyMs: Math.round(median(namespaced.map((r) => r.podsReadyMs))),
  clusterReadyMs: Math.round(median(namespaced.map((r) => r.clusterReadyMs))),
  ratioToProcesses: Number((median(namespaced.map((r) => r.clusterReadyMs)) / median(harness.map((r) => r.clusterReadyMs))).toFixed(3)),
  ratioToProcessesWithoutCreate: Number((rest(namespaced) / rest(harness)).toFixed(3)),
} : null;
console.log(JSON.stringify({ ...result, namespaces }));
