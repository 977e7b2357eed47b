// A master that stalls rather than dies (a long GC pause, a frozen VM, a stopped container):
// SIGSTOP for 2 × node timeout, until a replica has taken over, then SIGCONT. On waking the old
// master must step down to replica. What it answers in the moment it wakes, before it reads its
// demotion, is lost (Redis executes the writes queued on it first: harness/faults/faults.test.ts),
// and minority-writes excuses only that; any other loss fails.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('pause-master', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['pause-master']);
  const master = await run.masterOfCounter();

  await run.phase('fault: pause the master for 2 × node timeout', async () => {
    await run.warmup();
    await run.faults.pause(master);
    // At a short node timeout the election can outlast 2 × node timeout: stay paused until it is won.
    await Promise.all([run.hold(2 * run.nodeTimeoutMs, `${master} paused`), run.waitForPromotion(master)]);
    await run.faults.resume(master);
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
