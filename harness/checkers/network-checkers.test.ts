// The checks that network faults call for, each shown to fail on a history with the defect.
import { describe, expect, it } from 'vitest';
import { OpTable } from '../workload/history.ts';
import { summarize } from '../workload/sampler.ts';
import { seedNodes, topologyOf } from '../testing/topologies.ts';
import { evidence, failedOver, fault, op } from '../testing/evidence.ts';
import { counterChecker, MINORITY_MARGIN_MS, minorityWritesChecker, replicaPromotionChecker } from './index.ts';

/**
 * A master cut off at 100 ms (node timeout 2000): INCRs 1..10 before the cut; the old master then
 * acknowledges 11..(10 + lost), the last at `lastAckMs`; the promoted replica, which had 10,
 * hands out 11, 12, 13 again from 5000 ms. The final read is what the new lineage reached.
 */
function partitioned(lost: number, lastAckMs: number) {
  const before = Array.from({ length: 10 }, (_, i) => op(0, 'incr', 'ok', i + 1, i * 9, i * 9 + 5));
  const step = (lastAckMs - 200) / Math.max(1, lost - 1);
  const minority = Array.from({ length: lost }, (_, i) => op(1, 'incr', 'ok', 11 + i, 190 + i * step, 200 + i * step));
  const majority = [11, 12, 13].map((v, i) => op(2, 'incr', 'ok', v, 5000 + i * 10, 5005 + i * 10));
  return evidence({
    history: OpTable.from([...before, ...minority, ...majority]), finalRead: 13,
    faults: [fault({ kind: 'partition', atMs: 100 })],
  });
}

describe('minority-writes', () => {
  it('counts the writes a cut-off master acknowledged inside node-timeout + margin, and excuses them', () => {
    const e = partitioned(8, 2900);
    const r = minorityWritesChecker(e);
    expect(r.valid).toBe(true);
    expect(r.details.partitions).toMatchObject([{ target: 'redis-cluster-0', lostAcknowledged: 8, outsideWindow: 0, lastMinorityAckAfterCutMs: 2800 }]);
    expect(r.message).toMatch(/8 acknowledged writes lost, the last acknowledged 2800 ms after the cut, within node-timeout 2000/);
    // The counter judges them as indeterminate: the duplicates 11..13 and the lower final read are explained.
    expect(counterChecker(e).valid).toBe(true);
  });

  it('fails writes lost after the window: a master that kept acknowledging beyond node-timeout', () => {
    const e = partitioned(8, 100 + 2000 + MINORITY_MARGIN_MS + 900);
    const r = minorityWritesChecker(e);
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/acknowledged writes lost after the window .* a loss Redis Cluster does not document/);
    expect(counterChecker(e).valid).toBe(false);
  });

  it('judges the window by when a write was invoked, not when its reply was read (a starved event loop reads it late)', () => {
    const windowEnd = 100 + 2000 + MINORITY_MARGIN_MS;
    const e = partitioned(8, windowEnd - 100);
    // The last minority INCR was sent inside the window, but its reply was read 900 ms after it.
    const ops = [...e.history];
    const last = ops.findIndex((o) => o.process === 1 && o.value === 18);
    ops[last] = { ...ops[last]!, invokeNs: (windowEnd - 50) * 1e6, completeNs: (windowEnd + 850) * 1e6 };
    const late = { ...e, history: OpTable.from(ops) };
    expect(minorityWritesChecker(late)).toMatchObject({ valid: true });
    expect(counterChecker(late).valid).toBe(true);
    // Sent after the window: Redis took it after the window, a loss it does not document.
    ops[last] = { ...ops[last]!, invokeNs: (windowEnd + 50) * 1e6, completeNs: (windowEnd + 60) * 1e6 };
    expect(minorityWritesChecker({ ...e, history: OpTable.from(ops) }).valid).toBe(false);
  });

  it('counts the window from when the cut was complete: rules applied over 1.5 s (an agent per pod) move it', () => {
    // The last minority acknowledgement at 4600 ms: inside the window of a cut completed at 1600 ms
    // (it closes at 1600 + 2000 + 2000), outside one counted from the fault's start at 100 ms (4100).
    const late = partitioned(8, 4600);
    const completedLate = { ...late, faults: [fault({ kind: 'partition', atMs: 100, endMs: 1600 })] };
    expect(minorityWritesChecker(completedLate).valid).toBe(true);
    expect(minorityWritesChecker(late).valid).toBe(false);
  });

  it('does not excuse a loss without a partition: the counter still fails it', () => {
    const e = partitioned(8, 2900);
    const unexcused = { ...e, faults: [fault({ kind: 'kill', atMs: 100 })] };
    expect(minorityWritesChecker(unexcused).details).toMatchObject({ applicable: false });
    expect(counterChecker(unexcused).valid).toBe(false);
  });

  it("finds what the promoted replica had from its first replies together, though they complete out of value order", () => {
    // Recorded on the Kubernetes node: the new master's 21 read 0.1 ms before its 20. Taking the
    // first to complete, the replica 'had 20', and the minority's lost 11 here went unexcused.
    const e = partitioned(8, 2900);
    const ops = [...e.history].filter((o) => o.process !== 2);
    ops.push(op(2, 'incr', 'ok', 12, 5000, 5005), op(3, 'incr', 'ok', 11, 5000, 5005.1), op(2, 'incr', 'ok', 13, 5010, 5015));
    const swapped = { ...e, history: OpTable.from(ops) };
    expect(minorityWritesChecker(swapped).details.partitions).toMatchObject([{ lostAcknowledged: 8, outsideWindow: 0 }]);
    expect(counterChecker(swapped)).toMatchObject({ valid: true });
  });

  it('takes two clients whose acknowledgements complete out of value order for concurrency, not for a split', () => {
    // Recorded on a real node: incr 152 completed 0.5 ms before incr 151; both were in flight together.
    const before = Array.from({ length: 10 }, (_, i) => op(0, 'incr', 'ok', i + 1, i * 9, i * 9 + 5));
    const overlapping = [op(1, 'incr', 'ok', 12, 300, 305), op(3, 'incr', 'ok', 11, 299, 305.5), op(1, 'incr', 'ok', 13, 400, 405)];
    const e = evidence({ history: OpTable.from([...before, ...overlapping]), finalRead: 13, faults: [fault({ kind: 'partition', atMs: 100 })] });
    const r = minorityWritesChecker(e);
    expect(r.valid).toBe(true);
    expect(r.details.partitions).toMatchObject([{ lostAcknowledged: 0 }]);
    expect(counterChecker(e).valid).toBe(true);
  });

  it("still finds the split when the minority's acknowledgements were reordered too", () => {
    const e = partitioned(8, 2900);
    // Two of the minority's INCRs overlapped and completed out of order: 15 (another client's)
    // was invoked before 14 completed, and completed first.
    const fourteen = [...e.history].find((o) => o.value === 14 && o.process === 1)!;
    const ops = [...e.history].map((o) => (o.value === 15 && o.process === 1 ? { ...o, process: 3, invokeNs: fourteen.invokeNs - 1e6, completeNs: fourteen.completeNs - 0.5e6 } : o));
    const r = minorityWritesChecker({ ...e, history: OpTable.from(ops) });
    expect(r.details.partitions).toMatchObject([{ lostAcknowledged: 8, outsideWindow: 0 }]);
  });

  it('passes a partition in which nothing was lost', () => {
    const r = minorityWritesChecker(evidence({ faults: [fault({ kind: 'partition', atMs: 100 })] }));
    expect(r.valid).toBe(true);
    expect(r.message).toMatch(/no acknowledged write lost/);
  });
});

describe('replica-promotion, when no failover may happen', () => {
  const moved = failedOver();
  const samples = [summarize(topologyOf(seedNodes()), 0, 0, [0]), summarize(topologyOf(moved), 3000, 0, [0]), summarize(topologyOf(seedNodes()), 6000, 0, [0])];

  it('fails a slowed master whose slot moved, even if it came back', () => {
    const r = replicaPromotionChecker(evidence({ faults: [fault({ kind: 'delay' })], samples, expect: { promotion: 'none' } }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/slot 0 moved from redis-cluster-0 to .* a failover that should not have happened/);
  });

  it('fails a failover after a fault on a replica only', () => {
    const r = replicaPromotionChecker(evidence({ faults: [fault({ kind: 'partition', target: 'redis-cluster-3', role: 'replica', slots: [] })], samples, expect: { promotion: 'none' } }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/slot 0 moved .* a failover that no fault called for/);
  });

  it('passes when every slot kept its master', () => {
    const steady = [0, 3000, 6000].map((ms) => summarize(topologyOf(seedNodes()), ms, 0, [0]));
    expect(replicaPromotionChecker(evidence({ faults: [fault({ kind: 'delay' })], samples: steady, expect: { promotion: 'none' } })).valid).toBe(true);
  });

  it('measures a partitioned master\'s failover by the new epoch in samples recorded without claimants', () => {
    const final = topologyOf(failedOver());
    const old = (ms: number, epoch?: number) => {
      const { claimants: _, ...rest } = summarize(topologyOf(seedNodes()), ms, 0, [0]);
      return epoch === undefined ? rest : { ...rest, epoch };
    };
    const r = replicaPromotionChecker(evidence({ faults: [fault({ kind: 'partition' })], samples: [old(0), old(4000, 99)], final, expect: { promotion: 'promoted' } }));
    expect(r.details).toMatchObject({ failoverMs: 3900 });
  });

  it("times a partitioned master's failover from when its replica claims the slot, not from when an election starts", () => {
    const final = topologyOf(failedOver());
    // Both claim slot 0 once the replica has won: the cut-off master has not noticed yet.
    const both = topologyOf(seedNodes().map((n, i) => (i === 3 ? { ...n, role: 'master' as const, masterId: null, slots: [[0, 5460] as [number, number]] } : n)));
    const s = [
      summarize(topologyOf(seedNodes()), 0, 0, [0]),
      { ...summarize(topologyOf(seedNodes()), 3000, 0, [0]), epoch: 7 }, // an election started (and was lost)
      { ...summarize(both, 5000, 0, [0]), epoch: 8 }, // the replica won and claims the slot
    ];
    const r = replicaPromotionChecker(evidence({ faults: [fault({ kind: 'partition' })], samples: s, final, expect: { promotion: 'promoted' } }));
    expect(r.details).toMatchObject({ failoverMs: 4900 });
  });
});
