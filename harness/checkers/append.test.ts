import { describe, expect, it } from 'vitest';
import { evidence, fault, MS } from '../testing/evidence.ts';
import { OpTable, type Op } from '../workload/history.ts';
import { appendChecker } from './append.ts';
import { SEED_CHECKERS, availabilityChecker, counterChecker, minorityWritesChecker, otherShardsChecker, runCheckers, type RunEvidence } from './index.ts';
import { metricsOf, shardsOf } from '../scenario/result.ts';

const KEY = 'list:{hits}:run';
const append = (process: number, type: Op['type'], value: number, from: number, to: number): Op =>
  ({ process, f: 'append', type, value, invokeNs: from * MS, completeNs: to * MS, error: type === 'ok' ? null : 'timeout', key: KEY });
const read = (process: number, list: number[], from: number, to: number): Op =>
  ({ process, f: 'read-list', type: 'ok', value: list.length, list, invokeNs: from * MS, completeNs: to * MS, error: null, key: KEY });

/** Appends 1..n, one after another, 10 ms apart; then a read of them all. */
const clean = (n: number): Op[] => [...Array.from({ length: n }, (_, i) => append(0, 'ok', i + 1, i * 10, i * 10 + 5)), read(1, Array.from({ length: n }, (_, i) => i + 1), n * 10, n * 10 + 5)];

const lists = (finalRead: number[] | null): Pick<RunEvidence, 'workload' | 'lists'> => ({ workload: 'append', lists: [{ key: KEY, slot: 866, masterAtStart: 'redis-cluster-0', finalRead }] });
const judge = (ops: Op[], finalRead: number[] | null) => appendChecker(evidence({ history: OpTable.from(ops), ...lists(finalRead) }));

describe('append', () => {
  it('passes a clean history, and allows an indeterminate append in the list or out of it', () => {
    const ops = [...clean(5), append(2, 'info', 6, 60, 1060), append(3, 'info', 7, 61, 1061), append(3, 'fail', 8, 62, 63)];
    const r = judge(ops, [1, 2, 3, 4, 5, 7]);
    expect(r.valid).toBe(true);
    expect(r.message).toBe('1 lists, each judged on its own: 5 acknowledged appends all in the final reads, 2 indeterminate, 1 failed; 1 reads, no rollback, reorder, duplicate or unwritten value');
    expect(r.details).toMatchObject({ attempted: 8, acknowledged: 5, lostAcknowledged: 0, counts: { lost: 0, rollbacks: 0, reordered: 0, duplicates: 0, unwritten: 0 } });
  });

  it('passes concurrent reads that disagree only in how far they got', () => {
    const ops = [append(0, 'ok', 1, 0, 5), append(1, 'ok', 2, 1, 30), read(2, [1, 2], 10, 20), read(3, [1], 11, 25)];
    expect(judge(ops, [1, 2]).valid).toBe(true);
  });

  it('fails an acknowledged append missing from the final read, with its value and ack time', () => {
    const r = judge(clean(5), [1, 2, 3, 4]);
    expect(r.valid).toBe(false);
    expect(r.details.lost).toEqual([{ key: KEY, value: 5, process: 0, invokeMs: 40, ackMs: 45, seenMs: 55 }]);
    expect(r.message).toMatch(/^1 acknowledged appends lost, first: 5 in list:\{hits\}:run \(process 0, acknowledged at 0\.045s, read at 0\.055s\)/);
  });

  it('fails a rollback: a value read, then absent from a read that began after', () => {
    // 3 was an indeterminate append: not lost, but a read saw it, so it was applied, then undone.
    const ops = [append(0, 'ok', 1, 0, 5), append(0, 'ok', 2, 6, 10), append(1, 'info', 3, 11, 1011), read(2, [1, 2, 3], 20, 25), read(2, [1, 2], 30, 35)];
    const r = judge(ops, [1, 2]);
    expect(r.valid).toBe(false);
    expect(r.details.counts).toMatchObject({ lost: 0, rollbacks: 1, reordered: 0 });
    expect(r.details.rollbacks).toEqual([{ key: KEY, value: 3, seenBy: 'process 2 read [0.020s–0.025s] (3 values)', seenMs: 25, missingFrom: 'process 2 read [0.030s–0.035s] (2 values)', missingMs: 30 }]);
  });

  it('fails a rollback the final read alone shows', () => {
    const r = judge([...clean(3)], [1, 2]);
    expect(r.details.rollbacks).toMatchObject([{ value: 3, missingFrom: 'the final read', missingMs: null }]);
  });

  it('fails two values read in one order and later in the other', () => {
    const ops = [append(0, 'ok', 1, 0, 5), append(1, 'ok', 2, 0, 5), read(2, [1, 2], 10, 15), read(2, [2, 1], 20, 25)];
    const r = judge(ops, [2, 1]);
    expect(r.valid).toBe(false);
    expect(r.details.counts).toMatchObject({ lost: 0, rollbacks: 0, reordered: 1 });
    expect(r.details.reordered).toEqual([{ key: KEY, first: 1, second: 2, earlier: 'process 2 read [0.010s–0.015s] (2 values)', later: 'process 2 read [0.020s–0.025s] (2 values)' }]);
  });

  it('fails a value twice in one read', () => {
    const r = judge(clean(3), [1, 2, 3, 3]);
    expect(r.valid).toBe(false);
    expect(r.details.duplicates).toEqual([{ key: KEY, value: 3, read: 'the final read' }]);
    expect(r.message).toMatch(/1 duplicated values, first: 3 twice/);
  });

  it('fails a value no append wrote', () => {
    const ops = [...clean(2), read(3, [1, 2, 99], 30, 35)];
    const r = judge(ops, [1, 2, 99]);
    expect(r.valid).toBe(false);
    expect(r.details.unwritten).toEqual([{ key: KEY, value: 99, read: 'process 3 read [0.030s–0.035s] (3 values)' }]);
  });

  it('is unknown when the final read failed, and still fails what the reads showed', () => {
    expect(judge(clean(3), null)).toMatchObject({ valid: 'unknown', details: { lostAcknowledged: null } });
    const ops = [...clean(3), read(2, [1, 2], 40, 45)];
    expect(judge(ops, null).valid).toBe(false);
  });

  it('is not applicable to a counter run, and judges only its own keys when both run', () => {
    expect(appendChecker(evidence())).toMatchObject({ valid: true, message: 'not applicable: no append workload (--workload append or both)' });
    // The counter's default-key INCRs sit beside the list's operations.
    const both = evidence({ history: OpTable.from([...evidence().history, ...clean(3)]), ...lists([1, 2, 3]), workload: 'both' });
    expect(appendChecker(both)).toMatchObject({ valid: true, details: { attempted: 3 } });
  });

  it('both (the default): the metrics keep the counter\'s figures and carry the appends\' beside them, a loss included', () => {
    const both = evidence({ history: OpTable.from([...evidence().history, ...clean(3)]), ...lists([1, 2]), workload: 'both' });
    const m = metricsOf(runCheckers(SEED_CHECKERS, both), [], null);
    expect(m.appends).toEqual({ attempted: 3, acknowledged: 3, failed: 0, indeterminate: 0, lostAcknowledged: 1, rolledBack: 1, inMinorityWindow: 0 });
    // (3 was read, then missing from the final read: lost and rolled back.)
    expect(m.acknowledged).toBe(metricsOf(runCheckers(SEED_CHECKERS, evidence()), [], null).acknowledged);
    // The counter alone and the appends alone carry no second block.
    expect(metricsOf(runCheckers(SEED_CHECKERS, evidence()), [], null).appends).toBeUndefined();
    expect(metricsOf(runCheckers(SEED_CHECKERS, evidence({ history: OpTable.from(clean(3)), ...lists([1, 2, 3]) })), [], null).appends).toBeUndefined();
  });

  it('runs among the seed checkers', () => {
    expect(runCheckers(SEED_CHECKERS, evidence({ history: OpTable.from(clean(3)), ...lists([1, 2]) })).find((c) => c.name === 'append')?.valid).toBe(false);
  });

  it('with the appends alone: the counter has nothing to judge, and a shard serves by its ok appends', () => {
    const e = evidence({ history: OpTable.from(clean(30)), ...lists(Array.from({ length: 30 }, (_, i) => i + 1)), keys: [{ key: '', slot: 866, masterAtStart: 'redis-cluster-0', baseline: 0, finalRead: 0 }] });
    expect(counterChecker(e)).toMatchObject({ valid: true, message: 'not applicable: no counter workload (--workload append)' });
    expect(minorityWritesChecker({ ...e, faults: [fault({ kind: 'partition' })] }).message).toMatch(/^not applicable: no counter workload/);
    const a = availabilityChecker({ ...e, expect: { maxUnavailableMs: 100 } });
    expect(a.valid).toBe(true);
    expect(a.message).toMatch(/^longest gap between ok appends \d+ ms/);
    expect(otherShardsChecker({ ...e, expect: { otherShards: 'serve' } })).toMatchObject({ valid: true, details: { shards: [{ ok: 30 }] } });
    const checks = runCheckers(SEED_CHECKERS, e);
    expect(metricsOf(checks, [], null)).toMatchObject({ attempted: 30, acknowledged: 30, lostAcknowledged: 0 });
    expect(shardsOf(checks)).toMatchObject([{ key: KEY, slot: 866, acknowledged: 30, lostAcknowledged: 0 }]);
  });

  it("reports a loss inside a partitioned master's documented minority window, and fails one outside it", () => {
    // Cut at 1 s, in place at 1.2 s: the window runs to 1.2 + 3 (1.5 × node timeout) + 2 (margin) = 6.2 s.
    const faults = [fault({ kind: 'partition', atMs: 1000, endMs: 1200 }), fault({ kind: 'heal', atMs: 7000 })];
    const ops = [append(0, 'ok', 1, 0, 5), append(0, 'ok', 2, 1500, 1505), read(1, [1, 2], 1600, 1605), append(0, 'ok', 3, 6300, 6305)];
    const inside = appendChecker(evidence({ history: OpTable.from(ops.slice(0, 3)), ...lists([1]), faults }));
    expect(inside.valid).toBe(true);
    expect(inside.message).toMatch(/1 acknowledged appends lost and 1 values rolled back inside the documented loss window of redis-cluster-0 \(cut at 1\.000s, window to 6\.200s\), the last acknowledged at 1\.505s/);
    expect(inside.details).toMatchObject({ lostAcknowledged: 0, minorityWindow: { lostAcknowledged: 1, rolledBack: 1, lost: [{ value: 2, window: 'redis-cluster-0', ackMs: 1505 }] } });
    const outside = appendChecker(evidence({ history: OpTable.from(ops), ...lists([1, 2]), faults }));
    expect(outside.valid).toBe(false);
    expect(outside.details.lost).toMatchObject([{ value: 3, ackMs: 6305 }]);
  });

  it('reports an append a paused master answers on waking after its failover, and fails one sent after its window', () => {
    // Paused at 1 s, woken at 4 s: the window runs to 4 + 2 (margin) = 6 s. Append 2, sent during
    // the pause, is answered on waking and its successor never had it.
    const faults = [fault({ kind: 'pause', atMs: 1000, endMs: 1001 }), fault({ kind: 'resume', atMs: 4000 })];
    const ops = [append(0, 'ok', 1, 0, 5), append(0, 'ok', 2, 3500, 4002), append(0, 'ok', 3, 6100, 6105)];
    const inside = appendChecker(evidence({ history: OpTable.from(ops.slice(0, 2)), ...lists([1]), faults }));
    expect(inside.valid).toBe(true);
    expect(inside.message).toMatch(/1 acknowledged appends lost and 0 values rolled back inside the documented loss window of redis-cluster-0 \(paused at 1\.000s, window to 6\.000s\)/);
    const outside = appendChecker(evidence({ history: OpTable.from(ops), ...lists([1, 2]), faults }));
    expect(outside.valid).toBe(false);
    expect(outside.details.lost).toMatchObject([{ value: 3, ackMs: 6105 }]);
  });
});
