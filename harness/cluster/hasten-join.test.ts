import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningPlatform } from '../platform/types.ts';
import { startLocalPods } from '../testing/local-cluster.ts';
import { hastenJoin } from './hasten-join.ts';
import { hasFlag, parseClusterNodes } from './nodes.ts';

// Real redis-servers. redis-cli's own steps are taken here one by one (slots, config epochs, each
// node meeting the first), so that the helper starts exactly where redis-cli's sleep would begin.
// At a node timeout of 60 s a master pings a peer it has just met again only after 30 s, so the
// nodes' gossip alone does not agree on the slots' owners within the helper's 2 s bound; with
// the helper's second round of MEETs taken out, this test failed.
describe('hastenJoin', () => {
  let platform: RunningPlatform;
  beforeAll(async () => {
    platform = await startLocalPods({ nodeTimeoutOverrideMs: 60_000 });
  }, 60_000);
  afterAll(() => platform?.down());

  // A MEET before redis-cli has set every node's config epoch would fail the create: a node that
  // knows another refuses SET-CONFIG-EPOCH.
  it('meets no one before redis-cli does: false at its bound, every node still alone', async () => {
    const pods = (await platform.pods()).map((p) => ({ name: p.name, ip: p.ip! }));
    expect(await hastenJoin(platform, pods, { signal: AbortSignal.timeout(10_000), timeoutMs: 300 })).toBe(false);
    for (const p of pods) expect(parseClusterNodes(String(await platform.redis(p.name, ['CLUSTER', 'NODES'])))).toHaveLength(1);
  });

  it('after redis-cli\'s MEETs, brings every node to the same owners of the slots, and each to know the other five', async () => {
    const pods = (await platform.pods()).map((p) => ({ name: p.name, ip: p.ip! }));
    const call = (pod: number, ...args: string[]) => platform.redis(pods[pod]!.name, args, { timeoutMs: 2_000 });
    const ranges = [[0, 5460], [5461, 10922], [10923, 16383]] as const;
    await Promise.all(ranges.map(([lo, hi], i) => call(i, 'CLUSTER', 'ADDSLOTSRANGE', String(lo), String(hi))));
    await Promise.all(pods.map((_, i) => call(i, 'CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1))));
    const helped = hastenJoin(platform, pods, { signal: AbortSignal.timeout(10_000), timeoutMs: 2_000 });
    await Promise.all(pods.slice(1).map((_, i) => call(i + 1, 'CLUSTER', 'MEET', pods[0]!.ip, String(platform.info.clientPort))));
    expect(await helped).toBe(true);

    const views = await Promise.all(pods.map(async (_, i) => parseClusterNodes(String(await call(i, 'CLUSTER', 'NODES')))));
    const ids = views.map((v) => v.find((n) => n.myself)!.id);
    for (const [i, view] of views.entries()) {
      expect(view.filter((n) => !hasFlag(n, 'handshake')).map((n) => n.id).sort(), pods[i]!.name).toEqual([...ids].sort());
      const owners = view.filter((n) => n.slots.length > 0).map((n) => [ids.indexOf(n.id), n.slots]).sort();
      expect(owners, pods[i]!.name).toEqual(ranges.map((r, m) => [m, [r]]));
    }
  }, 30_000);
});
