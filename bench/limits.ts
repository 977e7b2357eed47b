// npm run bench:limits — what enforcing memory and CPU limits costs at bootstrap: the repo's
// manifests against examples/memory-limit (the same with a 64Mi memory and a 1-CPU limit on
// Redis), on the local platform, alternating round by round in one run. Last line: JSON.
import path from 'node:path';
import { loadManifests, resolveSystem, type SystemUnderTest } from '../harness/core.ts';
import { bootstrapRound, type Round } from './bootstrap-round.ts';
import { cgroupLayout } from '../harness/platform/local/cgroup-layout.ts';
import { noFlags } from './flags.ts';

noFlags('limits');

// --cluster create waits for gossip in whole seconds (1-4 s): several rounds for the medians.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const root = path.resolve(import.meta.dirname, '..');
const without = resolveSystem(await loadManifests(path.join(root, 'manifests')));
const limited = resolveSystem(await loadManifests(path.join(root, 'examples/memory-limit')));

const round = (system: SystemUnderTest) => bootstrapRound(system);

const layout = await cgroupLayout();
if (typeof layout === 'string') {
  console.log(JSON.stringify({ error: `limits cannot be enforced here: ${layout}` }));
  process.exit(2);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const plain: Round[] = [];
const withLimits: Round[] = [];
for (let i = 0; i < ROUNDS; i++) {
  // Alternating, so that whatever else the machine does weighs on both alike.
  plain.push(await round(without));
  withLimits.push(await round(limited));
  console.log(`round ${i + 1}/${ROUNDS}: without ${JSON.stringify(plain.at(-1))} with limits ${JSON.stringify(withLimits.at(-1))}`);
}
const summary = (rs: Round[]) => ({
  podsReadyMs: Math.round(median(rs.map((r) => r.podsReadyMs))),
  clusterReadyMs: Math.round(median(rs.map((r) => r.clusterReadyMs))),
  createMs: Math.round(median(rs.map((r) => r.createMs))),
  // Without --cluster create's whole-second gossip polling: starting pods and the first sync.
  withoutCreateMs: Math.round(median(rs.map((r) => r.clusterReadyMs - r.createMs))),
});
const a = summary(plain);
const b = summary(withLimits);
console.log(JSON.stringify({
  rounds: ROUNDS, cgroups: `v${layout.version}`, without: a, withLimits: b,
  podsReadyRatio: Number((b.podsReadyMs / a.podsReadyMs).toFixed(3)),
  clusterReadyRatio: Number((b.clusterReadyMs / a.clusterReadyMs).toFixed(3)),
  withoutCreateRatio: Number((b.withoutCreateMs / a.withoutCreateMs).toFixed(3)),
}));
