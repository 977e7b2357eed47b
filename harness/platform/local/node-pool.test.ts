import { describe, expect, it } from 'vitest';
import type { Scheduling } from '../../manifests/types.ts';
import { NotYet, waitUntil } from '../../util/wait.ts';
import { NodePool, type BindablePod } from './node-pool.ts';

const none: Scheduling = { nodeSelector: {}, podAffinity: { required: [], preferred: [] }, podAntiAffinity: { required: [], preferred: [] }, topologySpreadConstraints: [] };

/** A pod that records what was done to it: the pool's bookkeeping is what is under test. */
class FakePod implements BindablePod {
  node: string | null = null;
  reason: string | null = null;
  ip: string | null = null;
  readonly labels = { app: 'redis-cluster' };
  readonly log: string[] = [];
  constructor(readonly name: string) {}
  killNow(): void { this.log.push('SIGKILL'); }
  async delete(grace: number): Promise<void> { this.log.push(`delete ${grace}`); this.ip = null; }
  async create(): Promise<void> { this.log.push(`create on ${this.node}`); this.ip = `10.0.0.${this.name.at(-1)}`; }
}

function pool(n = 3) {
  const pods = [0, 1, 2, 3, 4, 5].map((i) => new FakePod(`redis-cluster-${i}`));
  return { pods, pool: new NodePool({ nodes: n, seed: 1 }, () => pods, none) };
}

describe('NodePool', () => {
  it('refuses impossible pools in one line', () => {
    expect(() => new NodePool({ nodes: 0, seed: 1 }, () => [], none)).toThrow('--nodes 0: expected a whole number of nodes, at least 1');
    expect(() => new NodePool({ nodes: 2, zones: 3, seed: 1 }, () => [], none)).toThrow('--zones 3: expected a whole number from 1 to --nodes (2)');
  });

  it('crashes a node: its pods killed and kept bound to it, NodeLost, until it returns and they start there again', async () => {
    const { pods, pool: p } = pool();
    for (const pod of pods) { p.bind(pod); await pod.create(); }
    const on = pods.filter((x) => x.node === 'node-2');
    const gone: string[] = [];
    expect(await p.crash('node-2', (ip) => gone.push(ip))).toEqual(on.map((x) => x.name));
    expect(gone.length).toBe(on.length);
    for (const pod of on) expect([pod.node, pod.reason, pod.log.slice(-2)]).toEqual(['node-2', 'NodeLost: node-2 is down', ['SIGKILL', 'delete 0']]);
    // Nothing new lands on a down node.
    const stray = new FakePod('redis-cluster-9');
    p.bind(stray);
    expect(stray.node).not.toBe('node-2');
    await expect(p.crash('node-2', () => undefined)).rejects.toThrow('node-2 is already down');
    await p.restore('node-2');
    for (const pod of on) expect([pod.node, pod.reason, pod.log.at(-1)]).toEqual(['node-2', null, 'create on node-2']);
  });

  it('keeps a pod that fits no node Pending and creates it once a node is uncordoned', async () => {
    const { pods, pool: p } = pool(1);
    p.node('node-1').unschedulable = true;
    const pod = pods[0]!;
    await p.bindThen(pod, () => pod.create(), (e) => { throw e; });
    expect(pod.reason).toBe('Unschedulable: 0/1 nodes are available: 1 node(s) were unschedulable.');
    expect(pod.log).toEqual([]);
    p.node('node-1').unschedulable = false;
    await waitUntil('created', async () => { if (pod.log.length === 0) throw new NotYet('not yet'); }, { timeoutMs: 5000, intervalMs: 50 });
    expect(pod.log).toEqual(['create on node-1']);
    await p.stop();
  });
});
