// 200 ms ± 50 ms on everything the counter's master sends to the other Redis nodes, far below the
// node timeout, for 3 × node timeout: a slow link is not a dead node, so no failover may happen
// (no false failure detection) and the counters stay intact. The report shows what the delay cost
// in latency.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('slow-network', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['slow-network']);
  const master = await run.masterOfCounter();

  await run.phase('fault: delay the master\'s traffic to its peers by 200 ± 50 ms for 3 × node timeout', async () => {
    await run.warmup();
    await run.faults.delay(master, 200, 50);
    await run.hold(3 * run.nodeTimeoutMs, `${master}'s links slowed`);
    await run.faults.heal();
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
