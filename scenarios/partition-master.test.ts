// The counter's master cut off from every other Redis node (client and bus ports) for 2 × node
// timeout, while the app still reaches it: the case in which Redis Cluster loses acknowledged
// writes. The majority must promote its replica; the master in the minority must stop taking
// writes within node-timeout of the cut, and whatever it acknowledged in that window is lost, as
// Redis documents. minority-writes counts that loss; any other loss fails. After the heal the old
// master must rejoin as a replica.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('partition-master', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['partition-master']);
  const master = await run.masterOfCounter();

  await run.phase('fault: cut the master off from the other Redis nodes for 2 × node timeout', async () => {
    await run.warmup();
    await run.faults.isolate(master);
    await Promise.all([run.hold(2 * run.nodeTimeoutMs, `${master} cut off`), run.waitForPromotion(master)]);
    await run.faults.heal();
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
