import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { masterOfSlot, selfEntries, snapshot, type Topology } from '../cluster/index.ts';
import { peerAddressesChecker } from '../checkers/index.ts';
import { loadManifests, resolveSystem } from '../manifests/index.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { keyInSlots, startLocalCluster } from '../testing/local-cluster.ts';
import { NotYet, sleep, waitUntil } from '../util/wait.ts';
import { Clock } from '../workload/clock.ts';
import { FaultInjector } from './injector.ts';

const HARDENED = path.resolve(import.meta.dirname, '../../examples/hardened');

// Real processes, the repo's manifests, node timeout 2000 and no diskless-sync delay.
const FAST = [{ key: 'repl-diskless-sync-delay', value: '0' }];
let platform: RunningPlatform | null = null;
afterEach(async () => {
  await platform?.down();
  platform = null;
});
const injector = (p: RunningPlatform) => new FaultInjector(p, new Clock(), () => undefined);

describe('pause and resume', () => {
  it('a paused master is failed over, answers on waking the write queued on it, and steps down to replica of its successor, which never had that write', async () => {
    const c = await startLocalCluster({ redisConfig: FAST });
    platform = c.platform;
    const master = masterOfSlot(c.topology, 0)!;
    const key = keyInSlots([[0, 100]]);
    await c.platform.redis(master.pod, ['SET', key, '100']);
    expect(await c.platform.redis(master.pod, ['WAIT', '1', '5000'], { timeoutMs: 6000 })).toBe(1);
    const faults = injector(c.platform);
    await faults.pause(master.pod);
    // An app's INCR in flight when the master stopped: it waits on the paused master's socket.
    const queued = c.platform.redis(master.pod, ['INCR', key], { timeoutMs: 60_000 });
    // Under the full suite two cores run many clusters: give each node a second to answer.
    const promoted = await waitUntil('a replica promoted', async () => {
      const t = await snapshot(c.platform, { timeoutMs: 1000 });
      const owner = masterOfSlot(t, 0);
      if (!owner || owner.nodeId === master.nodeId) throw new NotYet(`slot 0: ${owner?.pod ?? 'no single owner'}; reachable: ${t.views.filter((v) => v.reachable).map((v) => `${v.pod} (${selfEntries({ ...t, views: [v] })[0]?.self.role ?? '?'})`).join(', ')}`);
      return owner;
    }, { timeoutMs: 40_000, intervalMs: 200 });
    expect(promoted.pod).not.toBe(master.pod);
    await faults.resume(master.pod);
    // Redis executes what waited on its sockets before it reads the cluster bus message that
    // demotes it: the write is acknowledged, and lost. This is the loss minority-writes excuses for
    // a master paused past its failover (the cluster specification's failed-over master that is
    // reachable again), and why pause-master cannot promise it away.
    expect(await queued).toBe(101);
    const t = await c.ready();
    const old = selfEntries(t).find((e) => e.self.id === master.nodeId)!;
    expect(old.self).toMatchObject({ role: 'replica', masterId: promoted.nodeId });
    expect(await c.platform.redis(promoted.pod, ['GET', key])).toBe('100');
    expect(faults.records.map((r) => [r.kind, r.role])).toEqual([['pause', 'master'], ['resume', 'master']]);
  }, 90_000);
});

describe('full restart', () => {
  async function restartAndLook(shuffleIps: boolean): Promise<{ before: Topology; after: Topology; moves: string[] }> {
    const c = await startLocalCluster({ redisConfig: FAST });
    platform = c.platform;
    const ipsBefore = (await c.platform.pods()).map((p) => p.ip);
    const lines: string[] = [];
    const faults = new FaultInjector(c.platform, new Clock(), (l) => lines.push(l));
    await faults.fullRestart({ shuffleIps });
    const ipsAfter = (await c.platform.pods()).map((p) => p.ip);
    if (shuffleIps) expect(ipsAfter).toEqual([...ipsBefore.slice(1), ipsBefore[0]]);
    else for (const ip of ipsAfter) expect(ipsBefore).not.toContain(ip);
    expect(faults.records.map((r) => r.kind)).toEqual(Array(6).fill('full-restart'));
    // Well past the node timeout: time enough for a cluster that can reconnect to do so.
    await sleep(6000);
    return { before: c.topology, after: await snapshot(c.platform), moves: lines };
  }

  it('deadlocks the seed manifests: every peer address stale, cluster_state fail, and the checker says why', async () => {
    const { after, moves } = await restartAndLook(false);
    expect(moves[0]).toMatch(/^full restart: every pod deleted, all terminated, re-created in order: redis-cluster-0 \S+ → \S+/);
    expect(after.views.every((v) => v.reachable && v.info?.cluster_state === 'fail')).toBe(true);
    const r = peerAddressesChecker({ final: after } as Parameters<typeof peerAddressesChecker>[0]);
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/^no node can reach any peer after the restart: every one of the 30 peer addresses is stale \(nodes\.conf holds only the peers' old IPs/);
  }, 90_000);

  // Measured on Redis 7.0.15: a node dialling a peer's old address reaches another live node, and
  // the handshake's surprise leaves some peers known by id at no address (noaddr) for good, even
  // where cluster_state says ok. The seed manifests fail this too, in another way.
  it('with shuffled IPs, the seed manifests are left with peers at no address', async () => {
    const { after } = await restartAndLook(true);
    const r = peerAddressesChecker({ final: after } as Parameters<typeof peerAddressesChecker>[0]);
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/peer addresses are stale: .* at no address \(noaddr\)/);
  }, 90_000);
});

describe('what a scenario that ends early must undo', () => {
  it('knows which pods are still paused: paused and not resumed', async () => {
    // The bookkeeping only: a platform that answers nothing and records the signals.
    const sent: string[] = [];
    const fake = { pods: async () => [], pause: async (p: string) => void sent.push(`STOP ${p}`), resume: async (p: string) => void sent.push(`CONT ${p}`) } as unknown as RunningPlatform;
    const faults = injector(fake);
    await faults.pause('redis-cluster-0');
    await faults.pause('redis-cluster-1');
    await faults.resume('redis-cluster-0');
    expect(faults.openPauses()).toEqual(['redis-cluster-1']);
    await faults.resume('redis-cluster-1');
    expect(faults.openPauses()).toEqual([]);
    expect(sent).toEqual(['STOP redis-cluster-0', 'STOP redis-cluster-1', 'CONT redis-cluster-0', 'CONT redis-cluster-1']);
  });
});

/** `platform`, whose next `count` commands to `pod` (set with next) time out, as under a starved harness. */
function answeringLate(platform: RunningPlatform, pod: string): { platform: RunningPlatform; next(count: number): void } {
  let late = 0;
  const slow = new Proxy(platform, {
    get(target, prop, receiver) {
      if (prop !== 'redis') return Reflect.get(target, prop, receiver) as unknown;
      return async (to: string, args: string[], options?: { timeoutMs?: number }) => {
        if (to === pod && late-- > 0) throw new Error(`${args[0]}: no reply within ${options?.timeoutMs ?? 1000} ms`);
        return target.redis(to, args, options);
      };
    },
  });
  return { platform: slow, next: (count) => void (late = count) };
}

/**
 * A fresh cluster whose pod `slowPod` (chosen from its master of slot 0 and that master's replica)
 * answers late on demand (next), with an injector that sees it through that platform.
 */
async function clusterAnsweringLate(slowPod: (master: { pod: string; nodeId: string }, replica: { pod: string; nodeId: string }) => string) {
  const c = await startLocalCluster({ redisConfig: FAST });
  platform = c.platform;
  const master = masterOfSlot(c.topology, 0)!;
  const entry = selfEntries(c.topology).find((e) => e.self.masterId === master.nodeId)!;
  const replica = { pod: entry.view.pod, nodeId: entry.self.id };
  const slow = answeringLate(c.platform, slowPod(master, replica));
  return { c, master, replica, slow, faults: injector(slow.platform) };
}

describe("a fault's record under a slow answer", () => {
  it('records the target as master even when its first answers come too late (it asks again)', async () => {
    const { c, master, slow, faults } = await clusterAnsweringLate((m) => m.pod);
    // The first three commands to the master (one snapshot's worth) time out, as under a starved harness.
    slow.next(3);
    await faults.crash(master.pod);
    expect(faults.records[0]).toMatchObject({ kind: 'crash', target: master.pod, role: 'master', nodeId: master.nodeId });
    await c.ready();
  }, 90_000);

  // CI: node-crash under load recorded its master as `unknown` and ended in error, having no
  // promotion to wait on. A node's crash and a partition ask again as every other fault does.
  it('records a crashed node\'s master and a partitioned master as masters when their first answers come too late', async () => {
    const { c, master, slow, faults } = await clusterAnsweringLate((m) => m.pod);
    slow.next(3);
    await faults.isolate(master.pod);
    expect(faults.records.at(-1)).toMatchObject({ kind: 'partition', target: master.pod, role: 'master', nodeId: master.nodeId });
    await faults.heal();
    const node = (await c.platform.pods()).find((p) => p.name === master.pod)!.node!;
    slow.next(3);
    await faults.crashNode(node);
    expect(faults.records.find((r) => r.kind === 'node-crash' && r.target === master.pod)).toMatchObject({ role: 'master', nodeId: master.nodeId });
    await faults.restoreNode(node);
    await c.ready();
  }, 120_000);

  // CI: a drain's eviction of a master was recorded without the replica that then took over (it
  // had not answered in time), and replica-promotion failed the run: "slot 10923 ended up on
  // redis-cluster-2, which was not a replica of redis-cluster-3".
  it("records a master's replica even when the replica's first answers come too late", async () => {
    const { c, master, replica, slow, faults } = await clusterAnsweringLate((_, r) => r.pod);
    slow.next(3);
    await faults.crash(master.pod);
    expect(faults.records[0]).toMatchObject({ kind: 'crash', target: master.pod, role: 'master', replicaIds: [replica.nodeId] });
    // What a crash may lose depends on the AOF's settings (minority-writes.ts): the repo's manifests
    // keep an AOF at Redis's default fsync policy.
    expect(faults.records[0]!.persistence).toEqual({ appendonly: true, appendfsync: 'everysec' });
    await c.ready();
  }, 90_000);
});

describe("a fault's record while a replica is silenced", () => {
  // npm run explore, seed 3: a replica paused, then its master killed; the replica, resumed, was
  // promoted, and replica-promotion took it for a stranger ("slot 5461 ended up on redis-cluster-5,
  // which was not a replica of redis-cluster-1"): the kill's record had left the paused replica out.
  it("counts a paused replica among its master's replicas, by what it said when it was paused", async () => {
    const c = await startLocalCluster({ redisConfig: FAST });
    platform = c.platform;
    const master = masterOfSlot(c.topology, 0)!;
    const replica = selfEntries(c.topology).find((e) => e.self.masterId === master.nodeId)!;
    const faults = injector(c.platform);
    await faults.pause(replica.view.pod);
    expect(faults.records[0]).toMatchObject({ kind: 'pause', target: replica.view.pod, role: 'replica', masterId: master.nodeId });
    await faults.kill(master.pod);
    expect(faults.records[1]).toMatchObject({ kind: 'kill', target: master.pod, role: 'master', replicaIds: [replica.self.id] });
    await faults.resume(replica.view.pod);
    expect(faults.records[2]).toMatchObject({ kind: 'resume', target: replica.view.pod, role: 'replica' });
    await faults.restart(master.pod);
    await c.ready();
  }, 90_000);
});

/** `platform` with `method` answering only after `delayMs` (a starved machine), counting its calls. */
function slowed(platform: RunningPlatform, method: 'evict' | 'redis', delayMs: number): { platform: RunningPlatform; calls: () => number } {
  let calls = 0;
  const slow = new Proxy(platform, {
    get(target, prop, receiver) {
      if (prop !== method) return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: unknown[]) => {
        calls++;
        await sleep(delayMs);
        return (target[method] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return { platform: slow, calls: () => calls };
}

describe("a drain at its time's end", () => {
  // CI: on a starved machine an eviction went through 5 s after the drain's deadline; the wait
  // threw its timeout all the same, and the pod was recorded both evicted and refused.
  it('records an eviction that goes through as the time runs out as evicted, not refused', async () => {
    const c = await startLocalCluster({ redisConfig: FAST });
    platform = c.platform;
    const node = (await c.platform.pods())[0]!.node!;
    const on = (await c.platform.pods()).filter((p) => p.node === node).map((p) => p.name);
    const slow = slowed(c.platform, 'evict', 1500);
    const faults = injector(slow.platform);
    const result = await faults.drain(node, { timeoutMs: 1000, retryMs: 200 });
    expect(result).toEqual({ evicted: on, refused: null });
    expect(faults.records.map((r) => [r.kind, r.target])).toEqual(on.map((pod) => ['evict', pod]));
  }, 90_000);

  it('starts no eviction once its time is up, however long reading the topology took', async () => {
    const c = await startLocalCluster({ redisConfig: FAST });
    platform = c.platform;
    const node = (await c.platform.pods())[0]!.node!;
    const slowRedis = slowed(c.platform, 'redis', 1500);
    const evictions = slowed(slowRedis.platform, 'evict', 0);
    await expect(injector(evictions.platform).drain(node, { timeoutMs: 1000, retryMs: 200 })).rejects.toThrow(/not reached within 1000 ms/);
    expect(evictions.calls()).toBe(0);
    expect((await c.platform.nodes()).find((n) => n.name === node)?.unschedulable).toBe(false);
  }, 90_000);

  // The API's refusal gives only counts ("5 healthy, 5 required"); CI's drain waited 25 s on a
  // budget without saying which pod held it.
  it('names the pods a disruption budget counts as not ready when it refuses an eviction', async () => {
    const c = await startLocalCluster({ redisConfig: FAST, system: resolveSystem(await loadManifests(HARDENED)) });
    platform = c.platform;
    const pods = await c.platform.pods();
    const down = pods[0]!;
    const node = pods.find((p) => p.node !== down.node)!.node!;
    const lines: string[] = [];
    const faults = new FaultInjector(c.platform, new Clock(), (l) => lines.push(l));
    await faults.kill(down.name);
    const result = await faults.drain(node, { timeoutMs: 1500, retryMs: 500 });
    expect(result.refused).not.toBeNull();
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^eviction of redis-cluster-\\d refused: Cannot evict pod as it would violate the pod's disruption budget redis-cluster \\(5 healthy, 5 required\\); not ready: ${down.name}( \\(.*\\))?; retrying every 0.5 s$`)));
    await faults.restart(down.name);
  }, 90_000);
});
