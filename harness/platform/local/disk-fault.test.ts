// fillDisk and freeDisk on a real cluster of the repo's manifests: what Redis 7.0 does when its
// claim is full, that it serves again once freed, and that down() leaves no mount or loop device.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifests, resolveSystem } from '../../manifests/index.ts';
import { keyInSlots, REPO_MANIFESTS, startLocalCluster } from '../../testing/local-cluster.ts';
import { NotYet, waitUntil } from '../../util/wait.ts';
import type { RunningPlatform } from '../types.ts';
import { LocalPlatform } from './local-platform.ts';
import { RunDir } from './run-dir.ts';
import { namespacesUnavailable } from './sandbox/isolation.ts';
import { capacityUnavailable, loopsBackedBy, mountsUnder } from './volumes.ts';

const why = (await namespacesUnavailable()) ?? (await capacityUnavailable());

describe.skipIf(why !== null)(`a full claim on a real cluster (${why ?? 'namespaces and loop devices'})`, () => {
  let platform: RunningPlatform;
  beforeAll(async () => {
    ({ platform } = await startLocalCluster({ isolation: 'namespaces', redisConfig: [{ key: 'repl-diskless-sync-delay', value: '0' }] }));
  }, 120_000);
  afterAll(async () => {
    await platform?.down();
  });

  it('Redis refuses writes with MISCONF while its claim is full, and serves again once it is freed', async () => {
    const root = RunDir.for(platform.info.runId).root;
    // Six claims, each a filesystem of its own (1Gi requested).
    expect((await mountsUnder(root)).filter((m) => m.includes(`${path.sep}pvc${path.sep}`))).toHaveLength(6);
    const key = keyInSlots([[0, 5460]], 'disk');
    expect(await platform.redis('redis-cluster-0', ['INCR', key])).toBe(1);

    const filled = await platform.fillDisk('redis-cluster-0', { path: '/data', leaveBytes: 0 });
    expect(filled.freeBytes).toBe(0);
    expect(filled.filledBytes).toBeGreaterThan(900 * 2 ** 20);
    // The AOF's last block still takes a few writes; the first one past it fails, and from then on
    // every write is refused (the ones acknowledged before stay in memory and in the AOF buffer).
    const refusal = await waitUntil('a refused write', async () => {
      const reply = await platform.redis('redis-cluster-0', ['INCR', key]).then(() => null, (e: unknown) => String(e));
      if (!reply) throw new NotYet('INCR still acknowledged');
      return reply;
    }, { timeoutMs: 10_000, intervalMs: 1 });
    expect(refusal).toMatch(/MISCONF Errors writing to the AOF file: No space left on device/);
    expect(await platform.redis('redis-cluster-0', ['INFO', 'persistence'])).toMatch(/aof_last_write_status:err/);
    // Reads are still served.
    expect(Number(await platform.redis('redis-cluster-0', ['GET', key]))).toBeGreaterThan(0);

    await platform.freeDisk('redis-cluster-0');
    const started = Date.now();
    await waitUntil('writes accepted again', async () => {
      await platform.redis('redis-cluster-0', ['INCR', key]).catch((e: unknown) => { throw new NotYet(String(e)); });
    }, { timeoutMs: 5000, intervalMs: 10 });
    // Redis retries the AOF write from its cron (every 100 ms at hz 10).
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await platform.redis('redis-cluster-0', ['INFO', 'persistence'])).toMatch(/aof_last_write_status:ok/);

    await platform.down();
    expect([...(await mountsUnder(root)), ...(await loopsBackedBy((f) => f.startsWith(root + path.sep)))]).toEqual([]);
  }, 60_000);
});

describe('fillDisk in process mode', () => {
  it('is refused in one line: the claims are folders on the host\'s disk', async () => {
    const platform = await new LocalPlatform({ system: resolveSystem(await loadManifests(REPO_MANIFESTS)), isolation: 'processes', nodeTimeoutOverrideMs: 2000 }).up();
    try {
      await expect(platform.fillDisk('redis-cluster-0', { path: '/data', leaveBytes: 0 })).rejects.toThrow(/^fillDisk: redis-cluster-0's volume at \/data cannot be filled: pods run as bare processes \(--isolation processes\)/);
      await expect(platform.fillDisk('redis-cluster-0', { path: '/logs', leaveBytes: 0 })).rejects.toThrow('fillDisk: redis-cluster-0 has no volume at /logs (its main container mounts /conf, /data)');
    } finally {
      await platform.down();
    }
  }, 60_000);
});
