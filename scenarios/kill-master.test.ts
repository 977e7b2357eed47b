// Kill the counter's master and keep it down until its replica is promoted, then bring it back:
// it must rejoin as a replica of the node that replaced it.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('kill-master', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['kill-master']);
  const master = await run.masterOfCounter();

  await run.phase('fault: kill the master, keep it down', async () => {
    await run.warmup();
    await run.faults.kill(master);
    await run.waitForPromotion(master);
    await run.faults.restart(master);
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
