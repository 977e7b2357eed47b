// A node-pool upgrade: every node drained in turn (cordon, evictions that honour the manifests'
// PodDisruptionBudgets, uncordon), waiting for the cluster's health between nodes. The drain must
// complete, no shard may go without ok writes for longer than a failover, and no acknowledged
// write may be lost.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('node-drain', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['node-drain']);
  const nodes = await run.nodes();

  await run.phase(`fault: drain ${nodes.map((n) => n.name).join(', ')} in turn`, async () => {
    await run.warmup();
    for (const node of nodes) {
      await run.drain(node.name);
      await run.healthy(`after draining ${node.name}`);
    }
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
