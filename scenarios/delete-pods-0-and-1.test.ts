// The walkthrough's exact sequence: delete pod 0, then pod 1 at once. Two of three masters go
// away together, so for a while no majority of masters is left to authorise a failover.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('delete-pods-0-and-1', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['delete-pods-0-and-1']);

  await run.phase(`fault: delete pods ${run.pod(0)} and ${run.pod(1)}`, async () => {
    await run.warmup();
    await run.faults.deletePod(run.pod(0), run.pod(1));
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
