// The checkers on shapes other than the walkthrough's 3 × 1: two candidates for one promotion
// (3 × 2), where either may win and the other must follow it, and replica migration.
import { describe, expect, it } from 'vitest';
import { summarize } from '../workload/sampler.ts';
import { shapeNodes, topologyOf, type FakeNode } from '../testing/topologies.ts';
import { evidence, fault } from '../testing/evidence.ts';
import { replicaPromotionChecker, topologyRestoredChecker } from './index.ts';
import { unmetConditions } from '../cluster/readiness.ts';

const SHAPE = { masters: 3, replicasPerMaster: 2 };
const byPod = (nodes: FakeNode[], i: number) => nodes.find((n) => n.pod === `redis-cluster-${i}`)!;

/** 3 × 2 after pod 0 (master of 0-5460, replicas 3 and 6) failed over to `winner`. */
function promoted(winner: 3 | 6, loserFollows: 'winner' | 'old master' | 'pod 1'): FakeNode[] {
  const nodes = shapeNodes(3, 2);
  const [m0, w, l, m1] = [byPod(nodes, 0), byPod(nodes, winner), byPod(nodes, winner === 3 ? 6 : 3), byPod(nodes, 1)];
  Object.assign(w, { role: 'master', masterId: null, slots: m0.slots });
  Object.assign(m0, { role: 'replica', masterId: w.id, slots: [] });
  l.masterId = { winner: w.id, 'old master': m0.id, 'pod 1': m1.id }[loserFollows];
  if (loserFollows === 'old master') l.linkUp = false;
  return nodes;
}

function judge(nodes: FakeNode[]) {
  const start = shapeNodes(3, 2);
  const [m0, r3, r6] = [byPod(start, 0), byPod(start, 3), byPod(start, 6)];
  const samples = [summarize(topologyOf(start), 0, 0, [0]), summarize(topologyOf(nodes), 4600, 0, [0])];
  return replicaPromotionChecker(evidence({
    shape: SHAPE, before: topologyOf(start), final: topologyOf(nodes), samples, expect: { promotion: 'promoted' },
    faults: [fault({ target: m0.pod, nodeId: m0.id, slots: m0.slots, replicaIds: [r3.id, r6.id] })],
  }));
}

describe('replica-promotion with two candidates (3 × 2)', () => {
  it('passes whichever replica wins, when the other re-attaches to it', () => {
    for (const winner of [3, 6] as const) {
      const r = judge(promoted(winner, 'winner'));
      expect(r.valid, r.message).toBe(true);
      expect(r.message).toMatch(new RegExp(`redis-cluster-${winner} promoted in 4500 ms.*redis-cluster-${winner === 3 ? 6 : 3} \\(the other candidate\\) re-attached to it`));
    }
  });

  it('fails when the losing candidate still follows the dead master', () => {
    const r = judge(promoted(3, 'old master'));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/did not re-attach to it: redis-cluster-6 is replica of 00000000, link down/);
  });

  it('names a loser that replica migration moved to another shard, and passes it', () => {
    const r = judge(promoted(6, 'pod 1'));
    expect(r.valid, r.message).toBe(true);
    expect(r.message).toMatch(/redis-cluster-3 \(the other candidate\) migrated to redis-cluster-1's shard \(replica migration\)/);
  });
});

describe('topology-restored on other shapes', () => {
  it('passes 3 × 2 and 6 × 1 as created, with the replica count in its message', () => {
    for (const [m, r] of [[3, 2], [6, 1]] as const) {
      const t = topologyOf(shapeNodes(m, r));
      const result = topologyRestoredChecker(evidence({ shape: { masters: m, replicasPerMaster: r }, before: t, final: t }));
      expect(result.valid, result.message).toBe(true);
      expect(result.message).toBe(`${m} masters, each with ${r} linked ${r === 1 ? 'replica' : 'replicas'}; ${m * (1 + r)} known nodes; no node flagged`);
    }
  });

  it('passes replicas moved by replica migration, every one linked, and names the move', () => {
    const nodes = shapeNodes(3, 2);
    byPod(nodes, 6).masterId = byPod(nodes, 1).id;
    const r = topologyRestoredChecker(evidence({ shape: SHAPE, before: topologyOf(shapeNodes(3, 2)), final: topologyOf(nodes) }));
    expect(r.valid, r.message).toBe(true);
    expect(r.message).toBe('3 masters, with 1, 3, 2 linked replicas (6 in all, as the shape has); 9 known nodes; no node flagged; replica migration: redis-cluster-6 from 0-5460 to 5461-10922');
    expect(r.details.migrations).toEqual([{ pod: 'redis-cluster-6', fromShard: '0-5460', toShard: '5461-10922' }]);
  });

  it('fails a master short of a replica that did not migrate but lost its link', () => {
    const nodes = shapeNodes(3, 2);
    byPod(nodes, 6).linkUp = false;
    const r = topologyRestoredChecker(evidence({ shape: SHAPE, before: topologyOf(shapeNodes(3, 2)), final: topologyOf(nodes) }));
    expect(r.valid).toBe(false);
    expect(r.message).toBe('master redis-cluster-0 is short of replicas: 1 replica with link up, expected 2');
  });

  it('fails a migration that left a master with no replica, or replicas unlinked', () => {
    const nodes = shapeNodes(3, 2);
    byPod(nodes, 3).masterId = byPod(nodes, 1).id;
    byPod(nodes, 6).masterId = byPod(nodes, 2).id;
    const r = topologyRestoredChecker(evidence({ shape: SHAPE, before: topologyOf(shapeNodes(3, 2)), final: topologyOf(nodes) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/^master redis-cluster-0 is an orphan: 0 replicas with link up, expected 2; replica migration: /);
  });

  it('fails the seed shape judged as 3 × 2 (too few nodes, every master short)', () => {
    const t = topologyOf(shapeNodes(3, 1));
    const r = topologyRestoredChecker(evidence({ shape: SHAPE, before: t, final: t }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/redis-cluster-0 is short of replicas: 1 replica with link up, expected 2/);
  });
});

describe('replica-promotion times the failover by the masters that serve', () => {
  // 6 × 1 with pods 0 and 1 deleted together (seen so): their replicas won at 6.3 s, while the
  // deleted pods, back as replicas, said cluster_state:fail until 14.4 s.
  it('does not wait for a node back as a replica that still says fail, but does for a master', () => {
    const start = shapeNodes(3, 1);
    const nodes = shapeNodes(3, 1);
    const [m0, r3] = [byPod(nodes, 0), byPod(nodes, 3)];
    Object.assign(r3, { role: 'master', masterId: null, slots: m0.slots });
    Object.assign(m0, { role: 'replica', masterId: r3.id, slots: [] });
    const judged = (failing: string) => replicaPromotionChecker(evidence({
      final: topologyOf(nodes), expect: { promotion: 'promoted' }, faults: [fault()],
      samples: [summarize(topologyOf(start), 0, 0, [0]), summarize(topologyOf(nodes, { [failing]: { clusterState: 'fail' } }), 6400, 0, [0]), summarize(topologyOf(nodes), 14_500, 0, [0])],
    }));
    const replicaFailing = judged('redis-cluster-0');
    expect(replicaFailing.valid, replicaFailing.message).toBe(true);
    expect(replicaFailing.details).toMatchObject({ failoverMs: 6300 });
    const masterFailing = judged('redis-cluster-1');
    expect(masterFailing.valid).toBe(false);
    expect(masterFailing.message).toMatch(/redis-cluster-3 was promoted, but not within 9000 ms of the fault on redis-cluster-0 \(14400 ms\)/);
  });
});

describe('readiness on 3 × 2', () => {
  it('accepts replicas spread by replica migration, every master keeping one, and not an orphan or a missing replica', () => {
    const migrated = shapeNodes(3, 2);
    byPod(migrated, 6).masterId = byPod(migrated, 1).id;
    expect(unmetConditions(topologyOf(migrated), SHAPE)).toEqual([]);
    const orphan = shapeNodes(3, 2);
    byPod(orphan, 3).masterId = byPod(orphan, 1).id;
    byPod(orphan, 6).masterId = byPod(orphan, 2).id;
    expect(unmetConditions(topologyOf(orphan), SHAPE)).toContain('master redis-cluster-0 has 0 replicas, expected 2');
    const missing = shapeNodes(3, 2).filter((n) => n.pod !== 'redis-cluster-6');
    expect(unmetConditions(topologyOf(missing), SHAPE)).toContain('master redis-cluster-0 has 1 replicas, expected 2');
  });
});

describe('replica-promotion with a majority of masters gone', () => {
  // 3 × 1, pods 0 and 1 deleted together (seen on the Kubernetes node): one master left, so no
  // election can win until pod 0 is back at 14 s; pod 1's replica (pod 4) won 2.8 s later.
  it('does not count the time no election could win against the deadline, and does count the rest', () => {
    const start = shapeNodes(3, 1);
    const after = shapeNodes(3, 1);
    const [m1, r4] = [byPod(after, 1), byPod(after, 4)];
    Object.assign(r4, { role: 'master', masterId: null, slots: m1.slots });
    Object.assign(m1, { role: 'replica', masterId: r4.id, slots: [] });
    const gone = topologyOf(start, { 'redis-cluster-0': { unreachable: true }, 'redis-cluster-1': { unreachable: true } });
    const oneBack = topologyOf(start, { 'redis-cluster-1': { unreachable: true } });
    const judged = (promotedAtMs: number, majorityBackAtMs: number) => replicaPromotionChecker(evidence({
      final: topologyOf(after), expect: { promotion: 'either' },
      faults: [fault({ kind: 'delete-pod', target: m1.pod, nodeId: m1.id, slots: byPod(start, 1).slots, replicaIds: [r4.id], atMs: 0, endMs: 0 })],
      samples: [summarize(topologyOf(start), -100, 0, [5461]), summarize(gone, 100, 0, [5461]), summarize(oneBack, majorityBackAtMs, 0, [5461]), summarize(topologyOf(after), promotedAtMs, 0, [5461])],
    }));
    const late = judged(16_800, 14_000);
    expect(late.valid, late.message).toBe(true);
    expect(late.message).toMatch(/redis-cluster-4 promoted in 16800 ms \(deadline 9000, not counting 13900 ms in which a majority of masters was gone \(no election can win\)\)/);
    // The same promotion 9.2 s after the majority came back is late.
    expect(judged(23_200, 14_000).valid).toBe(false);
  });
});
