// The walkthrough's first fault: `kubectl delete pods redis-cluster-0` while the counter is hit.
// The StatefulSet re-creates the pod under a new IP; update-node.sh must make it rejoin as itself.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('delete-pod-0', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['delete-pod-0']);

  await run.phase(`fault: delete pod ${run.pod(0)}`, async () => {
    await run.warmup();
    await run.faults.deletePod(run.pod(0));
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
