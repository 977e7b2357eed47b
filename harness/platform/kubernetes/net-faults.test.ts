// Network faults on Kubernetes with a stand-in for the node agent (the agent's scripts themselves run
// on a real kernel in agent-scripts.test.ts, and on the real node in test/k8s).
import { describe, expect, it } from 'vitest';
import { KubernetesNetFaults, type NetFaultDeps } from './net-faults.ts';

function deps(over: Partial<NetFaultDeps> = {}) {
  const ran: { pod: string; script: string }[] = [];
  const uids = new Map(Array.from({ length: 6 }, (_, i) => [`redis-cluster-${i}`, `uid-${i}`]));
  const d: NetFaultDeps = {
    inNetns: async (pod, script) => { ran.push({ pod, script }); },
    podUid: async (pod) => uids.get(pod) ?? null,
    podIps: async () => new Map([...uids.keys()].map((p, i) => [p, `10.0.0.${i + 10}`])),
    table: 'rc_test',
    ...over,
  };
  return { d, ran, uids };
}

describe('network faults on Kubernetes', () => {
  it('partitions every member of both groups', async () => {
    const { d, ran } = deps();
    await new KubernetesNetFaults(d).partition([['redis-cluster-0'], ['redis-cluster-1', 'redis-cluster-2']]);
    expect(ran.map((r) => r.pod).sort()).toEqual(['redis-cluster-0', 'redis-cluster-1', 'redis-cluster-2']);
    expect(ran.find((r) => r.pod === 'redis-cluster-0')!.script).toContain('10.0.0.11');
  });

  it('heal names the pod it could not heal (an exec that timed out): the fault may still be there', async () => {
    const { d } = deps();
    const faults = new KubernetesNetFaults({ ...d, inNetns: async (pod, script) => { if (pod === 'redis-cluster-0' && script.includes('tc qdisc del')) throw new Error('exec timed out after 15000 ms'); } });
    await faults.partition([['redis-cluster-0'], ['redis-cluster-1']]);
    await expect(faults.heal()).rejects.toThrow(/^heal failed, the network fault may still be in place: redis-cluster-0: exec timed out after 15000 ms$/);
  });

  it('heal skips a pod re-created since its fault (a new network namespace), and one that is gone', async () => {
    const { d, ran, uids } = deps();
    const faults = new KubernetesNetFaults(d);
    await faults.partition([['redis-cluster-0'], ['redis-cluster-1'], ['redis-cluster-2']]);
    uids.set('redis-cluster-0', 'uid-0-new');
    uids.delete('redis-cluster-1');
    ran.length = 0;
    await faults.heal();
    expect(ran.map((r) => r.pod)).toEqual(['redis-cluster-2']);
    await faults.heal(); // nothing left: a no-op
    expect(ran).toHaveLength(1);
  });
});
