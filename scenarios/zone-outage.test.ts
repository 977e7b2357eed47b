// Every node of the counter's master's zone cut off from the rest (the default 3 nodes are in 3
// zones) for 2 × node timeout, then healed. The majority side must keep serving every shard it
// can: each master in the zone is replaced by its replica outside it, as Redis Cluster documents;
// writes the cut-off masters acknowledged inside the documented window are counted and excused by
// minority-writes, as in partition-master.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('zone-outage', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['zone-outage']);
  const master = await run.masterOfCounter();
  const zone = (await run.nodeOf(master)).zone;
  const nodes = (await run.nodes()).filter((n) => n.zone === zone).map((n) => n.name);

  await run.phase(`fault: isolate zone ${zone} (${nodes.join(', ')})`, async () => {
    await run.warmup();
    await run.faults.isolateNodes(nodes);
    await run.hold(2 * run.nodeTimeoutMs, `zone ${zone} is cut off`);
    await run.waitForPromotion(master);
    await run.faults.heal();
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
