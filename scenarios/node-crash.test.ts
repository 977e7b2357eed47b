// The node holding the counter's master crashes under load: every pod on it dies at once and stays
// down for 2 × node timeout, then the node returns and its pods start on it again. Every shard must
// keep or regain a master, with no acknowledged write lost; a shard whose master and replica shared
// the node cannot, and `failure-domains` names it and the node.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('node-crash', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['node-crash']);
  const master = await run.masterOfCounter();
  const node = await run.nodeOf(master);

  await run.phase(`fault: crash ${node.name}, the node of ${master}`, async () => {
    await run.warmup();
    await run.faults.crashNode(node.name);
    await run.hold(2 * run.nodeTimeoutMs, `${node.name} is down`);
    await run.waitForPromotion(master);
    await run.faults.restoreNode(node.name);
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
