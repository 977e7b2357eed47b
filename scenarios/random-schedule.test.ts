// A fault schedule instead of a fixed fault: the one in --schedule FILE (what `npm run explore`
// writes, and shrinks to the smallest that still fails), or one drawn from --seed. Steps overlap,
// hold and gap as the schedule says; the verdict is every check's, as for any scenario.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('random-schedule', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['random-schedule']);

  await run.phase('fault: the schedule (--schedule FILE, or drawn from --seed)', async () => {
    await run.warmupPastCrashWindow(); // the schedule may crash a master first
    await run.play();
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
