// The counter's master's volume filled to zero free bytes under load for 2 × node timeout, then
// freed. Once its AOF write fails, Redis 7.0 refuses every write with MISCONF, and Redis Cluster
// does not fail over for a full disk (redis/redis#12012): the shard is read-only until the space
// is back. Nothing acknowledged may be lost (counter); the shard must take writes again within
// disk-full's deadline of the free; the report says what Redis said and whether a failover happened.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('disk-full-master', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['disk-full-master']);
  const master = await run.masterOfCounter();

  await run.phase('fault: fill the master\'s volume for 2 × node timeout, then free it', async () => {
    await run.warmup();
    await run.faults.fillDisk(master);
    await run.hold(2 * run.nodeTimeoutMs, `${master}'s volume full`);
    await run.faults.freeDisk(master);
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
