// The walkthrough's second fault: `kubectl delete pods redis-cluster-1` while the counter is hit.
// The StatefulSet re-creates the pod under a new IP; update-node.sh must make it rejoin as itself.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('delete-pod-1', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['delete-pod-1']);

  await run.phase(`fault: delete pod ${run.pod(1)}`, async () => {
    await run.warmup();
    await run.faults.deletePod(run.pod(1));
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
