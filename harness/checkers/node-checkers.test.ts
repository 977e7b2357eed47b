import { describe, expect, it } from 'vitest';
import { spreadAssignment } from '../cluster/index.ts';
import { seedNodes, topologyOf } from '../testing/topologies.ts';
import { OpTable } from '../workload/history.ts';
import { evidence, fault, op } from '../testing/evidence.ts';
import { drainChecker } from './drain.ts';
import { otherShardsChecker } from './other-shards.ts';
import { failureDomainsChecker } from './failure-domains.ts';
import type { RunEvidence } from './types.ts';

/** The seed's layout (0–2 masters, 3–5 their replicas) with each pod on the node given. */
function placed(nodes: string[], zones?: string[]) {
  const t = topologyOf(seedNodes());
  return { ...t, views: t.views.map((v, i) => ({ ...v, node: nodes[i]!, zone: zones?.[i] ?? `zone-of-${nodes[i]}` })) };
}
const judge = (before: RunEvidence['before'], expect: RunEvidence['expect'] = {}) => failureDomainsChecker({ before, expect } as RunEvidence);

describe('failure-domains', () => {
  it('passes when every shard spans two nodes', () => {
    const r = judge(placed(['n1', 'n2', 'n3', 'n2', 'n3', 'n1']), { failureDomains: 'required' });
    expect(r.valid).toBe(true);
    expect(r.message).toContain('every shard spans more than one node');
  });

  it('fails the node scenarios when a master and its replica share a node, naming shard, pods and node', () => {
    const r = judge(placed(['n1', 'n2', 'n3', 'n1', 'n3', 'n2']), { failureDomains: 'required' });
    expect(r.valid).toBe(false);
    expect(r.message).toBe("one node's loss takes a whole shard: the shard of slots 0-5460 is all on node n1: redis-cluster-0 (master) and redis-cluster-3 (replica)");
  });

  it('only warns elsewhere', () => {
    const r = judge(placed(['n1', 'n1', 'n1', 'n1', 'n1', 'n1']));
    expect(r.valid).toBe(true);
    expect(r.message).toMatch(/^warning: the shard of slots 0-5460 is all on node n1/);
    expect((r.details.warnings as string[]).length).toBe(3);
  });

  it('judges zones where more than one is set', () => {
    const r = judge(placed(['n1', 'n2', 'n3', 'n4', 'n5', 'n6'], ['a', 'b', 'c', 'a', 'b', 'c']), { failureDomains: 'required' });
    expect(r.valid).toBe(false);
    expect(r.message).toContain('is all in zone a');
  });

  it('is unknown when the platform does not say where pods are and a node scenario needs it; elsewhere it judges nothing', () => {
    expect(judge(topologyOf(seedNodes()), { failureDomains: 'required' }).valid).toBe('unknown');
    expect(judge(topologyOf(seedNodes()))).toMatchObject({ valid: true, message: 'the platform did not say which node each pod is on: placement not judged' });
  });
});

describe('spreadAssignment', () => {
  const m = (i: number, node: string) => ({ id: `m${i}`, pod: `p${i}`, node });
  const r = (i: number, node: string, masterId: string) => ({ id: `r${i}`, pod: `p${i + 3}`, node, masterId });

  it('keeps a good pairing as it is', () => {
    const a = spreadAssignment([m(0, 'n1'), m(1, 'n2'), m(2, 'n3')], [r(0, 'n2', 'm0'), r(1, 'n3', 'm1'), r(2, 'n1', 'm2')], 1)!;
    expect([...a]).toEqual([['r0', 'm0'], ['r1', 'm1'], ['r2', 'm2']]);
  });

  it('re-pairs replicas that share their master\'s node, moving as few as it can', () => {
    // r0 shares n1 with m0; r1 and r2 sit well. Only a swap can fix it: r0 and one other move.
    const a = spreadAssignment([m(0, 'n1'), m(1, 'n2'), m(2, 'n3')], [r(0, 'n1', 'm0'), r(1, 'n3', 'm1'), r(2, 'n2', 'm2')], 1)!;
    const masterNode = { m0: 'n1', m1: 'n2', m2: 'n3' } as Record<string, string>;
    const replicaNode = { r0: 'n1', r1: 'n3', r2: 'n2' } as Record<string, string>;
    for (const [rep, mas] of a) expect(replicaNode[rep]).not.toBe(masterNode[mas]);
    expect(new Set(a.values()).size).toBe(3);
  });

  it('is null when no pairing exists (one node)', () => {
    expect(spreadAssignment([m(0, 'n1'), m(1, 'n1'), m(2, 'n1')], [r(0, 'n1', 'm0'), r(1, 'n1', 'm1'), r(2, 'n1', 'm2')], 1)).toBeNull();
  });
});

describe('drain', () => {
  const f = (kind: 'evict' | 'evict-refused', target: string, extra: Partial<RunEvidence['faults'][number]> = {}) =>
    ({ kind, target, role: 'master' as const, atMs: 1000, endMs: 1500, nodeId: null, slots: [], replicaIds: [], ...extra });

  it('passes a drain whose evictions all went through', () => {
    const r = drainChecker({ faults: [f('evict', 'redis-cluster-0'), f('evict', 'redis-cluster-3')] } as RunEvidence);
    expect(r).toMatchObject({ valid: true, message: 'the drain completed: 2 pods evicted (redis-cluster-0, redis-cluster-3)' });
  });

  it('fails a drain that gave up on a refused eviction, with the budget\'s reason', () => {
    const refused = f('evict-refused', 'redis-cluster-3', { atMs: 1000, endMs: 33_000, reason: "Cannot evict pod as it would violate the pod's disruption budget redis-cluster (5 healthy, 5 required)" });
    const r = drainChecker({ faults: [f('evict', 'redis-cluster-0'), refused] } as RunEvidence);
    expect(r.valid).toBe(false);
    expect(r.message).toBe("the drain did not complete: redis-cluster-3 could not be evicted for 32 s (Cannot evict pod as it would violate the pod's disruption budget redis-cluster (5 healthy, 5 required))");
  });

  it('does not apply where nothing was drained', () => {
    expect(drainChecker({ faults: [] } as unknown as RunEvidence).details).toEqual({ applicable: false });
  });
});

describe('other-shards-available', () => {
  // Keys on the three shards (the default key on pod 0's); the fault hits redis-cluster-0, master of the first.
  const keys = [
    { key: '', slot: 4994, masterAtStart: 'redis-cluster-0', baseline: 0, finalRead: null },
    { key: 'shard-1-1', slot: 10773, masterAtStart: 'redis-cluster-1', baseline: 0, finalRead: null },
    { key: 'shard-2-1', slot: 13125, masterAtStart: 'redis-cluster-2', baseline: 0, finalRead: null },
  ];
  /** ok INCRs every 100 ms on each key for 10 s, except `silent` keys between 3 and 8 s. */
  const history = (silent: string[]) => OpTable.from(keys.flatMap((k, p) => Array.from({ length: 100 }, (_, i) => i * 100)
    .filter((t) => !(silent.includes(k.key) && t >= 3000 && t < 8000))
    .map((t, i) => ({ ...op(p, 'incr', 'ok', i + 1, t, t + 2), ...(k.key ? { key: k.key } : {}) }))));
  const run = (silent: string[], expectation: RunEvidence['expect'] = { otherShards: 'serve' }) =>
    otherShardsChecker(evidence({ history: history(silent), keys, faults: [fault({ atMs: 3000 })], expect: expectation }));

  it('passes when the shards no fault touched kept serving, whatever the faulted one did', () => {
    const r = run(['']);
    expect(r.valid).toBe(true);
    expect(r.message).toBe('the shards no fault touched kept serving: longest gaps shard-1-1 100 ms, shard-2-1 100 ms (limit 2000 ms)');
  });

  it('fails when another shard stopped serving for longer than the node timeout, naming it', () => {
    const r = run(['', 'shard-2-1']);
    expect(r.valid).toBe(false);
    expect(r.message).toBe("shards no fault touched stopped serving for longer than the node timeout (2000 ms): shard-2-1 (slot 13125, redis-cluster-2's shard) 5100 ms from 2.9 s");
  });

  it('only reports where the scenario does not state it', () => {
    expect(run(['', 'shard-2-1'], {})).toMatchObject({ valid: true, message: 'not an expectation of this scenario' });
  });
});
