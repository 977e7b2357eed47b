// Redis under its manifests' limits.memory (run with --manifests examples/memory-limit), made to
// fork under a write load: the counter's master is filled to half its limit, then rewrites its AOF
// (BGREWRITEAOF) while the same data is written again, so that copy-on-write makes the fork hold
// its own copy; then a replica's pod is deleted, and the master forks again to give the replica,
// back empty, a full sync under the same writes. The forks are slowed to 100 ms per key
// (rdb-key-save-delay) so that 32 values fork as long as millions would. Expectation: no OOM kill,
// or each one survived without losing an acknowledged write; every OOM kill is reported (oom-kills).
// On manifests without a limit the same forks run unlimited: no acknowledged write may be lost.
import { chaosTest, expect } from '../harness/index.ts';
import { SCENARIOS } from './expectations.ts';

chaosTest('memory-limit', async ({ chaos }) => {
  const run = await chaos.start(SCENARIOS['memory-limit']);
  // Manifests without a limit (manifests/, examples/hardened) still get the forks under writes, unlimited.
  const limit = run.memory.limitBytes;
  if (limit === null) run.log('the redis container sets no resources.limits.memory: the forks run unlimited, 32Mi filled (--manifests examples/memory-limit has a limit)');
  const master = await run.masterOfCounter();
  const replica = await run.replicaOf(master);

  await run.phase('fault: the counter\'s master filled to half its memory limit, then forked twice under writes', async () => {
    await run.warmup();
    const written = await run.memory.fill(master, limit === null ? 32 * 2 ** 20 : Math.floor(limit / 2));
    run.log(`filled: ${await run.memory.usage(master)}`);
    await run.memory.slowForks(master, 100_000);
    const [rewrite] = await Promise.all([run.memory.rewriteAof(master), run.memory.fill(master, written)]);
    run.log(`AOF rewrite: ${rewrite}; ${await run.memory.usage(master)}`);
    // After an OOM kill, the shard serves again first (its master restarted, or its replica
    // promoted); one that never does still has its replica deleted, and the verdict says the rest.
    const serving = await run.memory.waitServing(master);
    const now = serving ? await run.masterOfCounter() : master;
    const copy = serving ? await run.replicaOf(now) : replica;
    await run.memory.slowForks(now, 100_000).catch(() => undefined);
    const syncs = (await run.memory.fullSyncs(now)) ?? 0;
    await run.faults.deletePod(copy);
    const [synced] = await Promise.all([run.memory.waitForFullSync(now, syncs), run.memory.fill(now, written)]);
    run.log(`${copy}'s full sync ${synced ? 'served' : 'not seen'}; ${await run.memory.usage(now)}`);
    await run.memory.slowForks(now, 0).catch(() => undefined); // gone with a restart anyway
  });
  await run.phase('recovery', () => run.recovery());
  await run.phase('clean-up: the filled data deleted', async () => run.memory.clear(await run.masterOfCounter()));

  const verdict = await run.phase('verdict', () => run.verdict());
  expect(verdict.passed, verdict.summary).toBe(true);
});
