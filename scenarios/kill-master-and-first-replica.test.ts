// On a shape with two replicas per master: kill the counter's master and its first replica at
// once, keep both down until the remaining replica is promoted, then bring both back. They must
// rejoin as replicas of the node that replaced the master.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('kill-master-and-first-replica', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['kill-master-and-first-replica']);
  const master = await run.masterOfCounter();
  const [first] = await run.replicasOf(master);

  await run.phase(`fault: kill ${master} and its replica ${first}, keep both down`, async () => {
    await run.warmup();
    await Promise.all([run.faults.kill(master), run.faults.kill(first!)]);
    await run.waitForPromotion(master);
    await run.faults.restart(master);
    await run.faults.restart(first!);
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
