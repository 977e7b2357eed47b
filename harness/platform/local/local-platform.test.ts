import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBind } from './addresses.ts';
import { kernelObjectsOf } from '../../testing/kernel-objects.ts';
import { markedProcesses } from './sweeper.ts';
import { masterOfSlot, selfEntries, snapshot, type Topology } from '../../cluster/index.ts';
import { keyInSlots, startLocalCluster } from '../../testing/local-cluster.ts';
import { NotYet, waitUntil } from '../../util/wait.ts';
import type { RunningPlatform } from '../types.ts';

let platform: RunningPlatform;
let ready: () => Promise<Topology>;
let first: Topology;

beforeAll(async () => {
  ({ platform, ready, topology: first } = await startLocalCluster({ redisConfig: [{ key: 'repl-diskless-sync-delay', value: '0' }, { key: 'save', value: '' }] }));
});
afterAll(async () => {
  await platform?.down();
});

const selfOf = (t: Topology, pod: string) => selfEntries(t).find((e) => e.view.pod === pod)!.self;

describe('the seed StatefulSet on the local platform', () => {
  it('runs 6 pods that bootstrap into 3 masters with one replica each, like the walkthrough', async () => {
    const pods = await platform.pods();
    expect(pods.map((p) => p.name)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `redis-cluster-${i}`));
    expect(new Set(pods.map((p) => p.ip)).size).toBe(6);
    // Namespaces mode: addresses on the run's bridge; process mode: on loopback.
    const subnet = platform.info.isolation === 'namespaces' ? /^10\.\d+\.\d+\.\d+$/ : /^127\./;
    expect(pods.every((p) => p.ready && p.phase === 'Running' && subnet.test(p.ip ?? ''))).toBe(true);
    const masters = [0, 1, 2].map((i) => selfOf(first, `redis-cluster-${i}`));
    expect(masters.map((m) => [m.role, m.slots])).toEqual([
      ['master', [[0, 5460]]],
      ['master', [[5461, 10922]]],
      ['master', [[10923, 16383]]],
    ]);
    const replicas = [3, 4, 5].map((i) => selfOf(first, `redis-cluster-${i}`));
    expect(replicas.every((r) => r.role === 'replica')).toBe(true);
    expect(new Set(replicas.map((r) => r.masterId))).toEqual(new Set(masters.map((m) => m.id)));
    expect(first.views.every((v) => v.info?.cluster_state === 'ok' && v.info.cluster_known_nodes === '6' && v.info.cluster_size === '3')).toBe(true);
    // update-node.sh really ran (it found no nodes.conf yet, as on a fresh PVC) and the node timeout override is in force.
    expect(await platform.logs('redis-cluster-0')).toMatch(/nodes\.conf: No such file or directory/);
    expect(await platform.redis('redis-cluster-0', ['CONFIG', 'GET', 'cluster-node-timeout'])).toEqual(['cluster-node-timeout', '2000']);
    // --redis-config reaches every pod's command line, an empty value included.
    for (const pod of pods) {
      expect(await platform.redis(pod.name, ['CONFIG', 'GET', 'repl-diskless-sync-delay'])).toEqual(['repl-diskless-sync-delay', '0']);
      expect(await platform.redis(pod.name, ['CONFIG', 'GET', 'save'])).toEqual(['save', '']);
    }
    expect(platform.info).toMatchObject({ kind: 'local', redisImage: 'redis:7.0.15-alpine', nodeTimeoutOverrideMs: 2000, manifestNodeTimeoutMs: 15000 });
    expect(platform.info.redisServerVersion).toMatch(/^7\./);
  });

  it('deletePod re-creates pod 0 under a new IP with its old node id, and the cluster returns to ok', async () => {
    const before = (await platform.pods())[0]!;
    const id = selfOf(first, before.name).id;
    await platform.deletePod(before.name);
    const after = (await platform.pods())[0]!;
    expect(after.ip).not.toBe(before.ip);
    expect(after.incarnation).not.toBe(before.incarnation);
    const t = await ready();
    const self = selfOf(t, before.name);
    expect(self.id).toBe(id); // nodes.conf lived on the PVC folder
    expect(self.ip).toBe(after.ip); // update-node.sh rewrote the myself line
  });

  it('kill keeps the master of slot 0 down until its replica is promoted, and restart brings it back as a replica', async () => {
    const t0 = await ready();
    const master = masterOfSlot(t0, 0)!;
    const replica = selfEntries(t0).find((e) => e.self.masterId === master.nodeId)!;
    const killedAt = Date.now();
    await platform.kill(master.pod);
    expect((await platform.pods()).find((p) => p.name === master.pod)?.held).toBe(true);
    const promoted = await waitUntil('replica promoted', async () => {
      const t = await snapshot(platform);
      const now = masterOfSlot(t, 0);
      if (now?.nodeId !== replica.self.id) throw new NotYet(`slot 0 served by ${now?.pod ?? 'nobody'}`);
      return Date.now() - killedAt;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    expect(promoted).toBeLessThan(10_000);
    await platform.restart(master.pod);
    const t = await ready();
    const back = selfOf(t, master.pod);
    expect(back.id).toBe(master.nodeId);
    expect(back.role).toBe('replica');
    expect(back.masterId).toBe(replica.self.id);
  });

  it('crash brings the master straight back with the same node id and its data, without a failover', async () => {
    const t0 = await ready();
    const master = masterOfSlot(t0, 0)!;
    const key = keyInSlots(selfOf(t0, master.pod).slots);
    await platform.redis(master.pod, ['SET', key, 'kept']);
    const before = (await platform.pods()).find((p) => p.name === master.pod)!;
    await platform.crash(master.pod);
    const crashedAt = Date.now();
    const backIn = await waitUntil('master back', async () => {
      const pod = (await platform.pods()).find((p) => p.name === master.pod)!;
      if (!pod.ready || pod.restarts === before.restarts) throw new NotYet(`${pod.name} ready=${pod.ready} restarts=${pod.restarts}`);
      return Date.now() - crashedAt;
    }, { timeoutMs: 5000, intervalMs: 20 });
    expect(backIn).toBeLessThan(2000);
    const after = (await platform.pods()).find((p) => p.name === master.pod)!;
    expect(after.ip).toBe(before.ip);
    expect(after.restarts).toBe(before.restarts + 1);
    const t = await ready();
    expect(masterOfSlot(t, 0)).toEqual(master);
    expect(await platform.redis(master.pod, ['GET', key])).toBe('kept'); // appendonly on the PVC
  });

  it('down() leaves no process and no listening port of the run', async () => {
    const ips = (await platform.pods()).map((p) => p.ip!);
    expect((await markedProcesses(platform.info.runId)).size).toBeGreaterThanOrEqual(6);
    await platform.down();
    await platform.down(); // idempotent
    expect((await markedProcesses(platform.info.runId)).size).toBe(0);
    if (platform.info.isolation === 'namespaces') {
      // The pods' addresses lived on the run's bridge: it, every namespace and every veth are gone.
      expect(await kernelObjectsOf(platform.info.runId)).toEqual([]);
    } else {
      for (const ip of ips) {
        expect(await canBind(ip, 6379)).toBe(true);
        expect(await canBind(ip, 16379)).toBe(true);
      }
    }
    await expect(platform.pods()).rejects.toThrow(/down/);
  });
});
