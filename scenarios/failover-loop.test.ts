// Redis's own tests/cluster/tests/03-failover-loop.tcl, under load: N seeded rounds (default 5,
// HARNESS_FAILOVER_ROUNDS) of: kill a random master, wait for its replica's promotion, restart it,
// wait for health and for the nodes' agreement. Every round must promote within its deadline with a
// new epoch, and the invariants hold throughout.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

const ROUNDS = Number(process.env.HARNESS_FAILOVER_ROUNDS || 5);

chaosTest('failover-loop', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['failover-loop']);

  await run.phase(`fault: ${ROUNDS} rounds of kill, promotion, restart`, async () => {
    await run.warmup();
    for (let round = 1; round <= ROUNDS; round++) {
      const master = run.schedule.pick(`round ${round} kills`, await run.masters());
      run.log(`round ${round}/${ROUNDS}: killing ${master}`);
      await run.faults.kill(master);
      await run.waitForPromotion(master);
      await run.faults.restart(master);
      await run.recovery();
      await run.hold(1000, `round ${round} done; load on the healed cluster`);
      await run.untilAgreed(); // the next round's fault lands on a settled cluster, as the first did
    }
  });

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
