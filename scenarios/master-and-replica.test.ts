// Both nodes of the counter's shard killed and held down for 2 × node timeout, then restarted.
// With cluster-require-full-coverage no, the other shards keep serving while this one's slots are
// uncovered; after the restart the shard's data must come back from its AOF.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('master-and-replica', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['master-and-replica']);
  const master = await run.masterOfCounter();
  const replica = await run.replicaOf(master);

  await run.phase(`fault: kill ${master} and its replica, keep both down`, async () => {
    await run.warmup();
    await Promise.all([run.faults.kill(master), run.faults.kill(replica)]);
    await run.hold(2 * run.nodeTimeoutMs, 'the shard is down');
    await run.faults.restart(master);
    await run.faults.restart(replica);
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
