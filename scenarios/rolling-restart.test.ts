// `kubectl rollout restart statefulset redis-cluster`: pods replaced one at a time from the
// highest ordinal down, each waiting for Ready (its readiness probe, or Running when the manifest
// has none, as the seed's does). Every shard must keep or regain its data.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('rolling-restart', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['rolling-restart']);

  await run.phase('fault: replace every pod, highest ordinal first', async () => {
    await run.warmup();
    for (const pod of (await run.podNames()).reverse()) {
      await run.faults.deletePod(pod);
      await run.podReady(pod);
    }
  });
  await run.phase('recovery', () => run.recovery());

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
