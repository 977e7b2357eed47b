// SIGKILL the counter's master and let the restart policy bring it straight back, as the kubelet
// does: the same node, the same IP, its AOF on the volume. Either it returns before a failover or
// its replica takes over; both are fine. Losing acknowledged increments is not, but for those of
// its last seconds that `appendfsync everysec` documents it may lose (expectations.ts).
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('crash-master', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['crash-master']);
  const master = await run.masterOfCounter();

  await run.phase('fault: crash the master', async () => {
    await run.warmupPastCrashWindow();
    await run.faults.crash(master);
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
