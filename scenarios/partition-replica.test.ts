// A replica cut off from every other Redis node for 2 × node timeout, then healed: no failover may
// follow, the replica must resync from its master, and nothing may be lost.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('partition-replica', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['partition-replica']);
  const replica = await run.replicaOf(await run.masterOfCounter());

  await run.phase('fault: cut a replica off for 2 × node timeout', async () => {
    await run.warmup();
    await run.faults.isolate(replica);
    await run.hold(2 * run.nodeTimeoutMs, `${replica} cut off`);
    await run.faults.heal();
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
