// Every Redis pod deleted, all terminated before any is re-created, as a node-pool upgrade or
// `kubectl delete pods -l app=redis-cluster` with OrderedReady re-creation does: each pod comes
// back with its volume, on a fresh IP. The cluster must return to full health with every
// acknowledged write. The seed's manifests fail this: nodes.conf holds only the peers' old IPs.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('full-restart', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['full-restart']);

  await run.phase('fault: delete every pod, re-create them in order on fresh IPs', async () => {
    await run.warmup();
    await run.faults.fullRestart();
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
