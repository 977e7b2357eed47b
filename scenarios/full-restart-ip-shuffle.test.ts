// The full restart, but each pod comes back on another pod's previous IP (bitnami/charts#11341,
// bitnami/containers#4990): a node's recorded peer address now belongs to a different node. The
// local platform assigns the IPs (each pod takes the next ordinal's old one); on Kubernetes the
// CNI does, so it happens only by chance and the platform refuses the fault (exit 2).
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('full-restart-ip-shuffle', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['full-restart-ip-shuffle']);

  await run.phase("fault: delete every pod, re-create them on each other's IPs", async () => {
    await run.warmup();
    await run.faults.fullRestart({ shuffleIps: true });
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
