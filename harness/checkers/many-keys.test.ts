import { describe, expect, it } from 'vitest';
import { chooseKeys } from '../cluster/keys.ts';
import { evidence, op } from '../testing/evidence.ts';
import { seedNodes, topologyOf } from '../testing/topologies.ts';
import { OpTable, type Op } from '../workload/history.ts';
import { availabilityChecker } from './availability.ts';
import { counterChecker } from './counter.ts';
import type { KeyEvidence } from './types.ts';

/**
 * A recorded run over the default keys of the seed topology (8 a master, 24 in all): one client
 * per shard takes its shard's keys in turn, as the workload does. One key of the 24 loses its
 * last 3 acknowledged INCRs; another, on another shard, has 3 INCRs that timed out and landed
 * anyway. Summed over keys the two cancel, so only a check of each key on its own sees the loss.
 */
function recorded() {
  const { keys: chosen } = chooseKeys(topologyOf(seedNodes()), 'hits');
  const shards = [...new Set(chosen.map((k) => k.masterAtStart))];
  const ops: Op[] = [];
  const count = new Map<string, number>();
  const acked = new Map<string, number>();
  const indeterminate = new Map<string, number>();
  const lossy = chosen.find((k) => k.masterAtStart === 'redis-cluster-1' && k.key !== 'hits' && k.slot > 8000)!;
  const landed = chosen.find((k) => k.masterAtStart === 'redis-cluster-2')!;
  for (let round = 0; round < 80; round++) {
    for (const [p, shard] of shards.entries()) {
      const mine = chosen.filter((k) => k.masterAtStart === shard);
      const k = mine[round % mine.length]!;
      const t = round * 10 + p;
      const value = (count.get(k.key) ?? 0) + 1;
      count.set(k.key, value);
      // The landed key's first 3 INCRs time out though Redis applied them.
      const info = k === landed && (indeterminate.get(k.key) ?? 0) < 3;
      if (info) indeterminate.set(k.key, (indeterminate.get(k.key) ?? 0) + 1);
      else acked.set(k.key, (acked.get(k.key) ?? 0) + 1);
      ops.push({ ...op(p, 'incr', info ? 'info' : 'ok', info ? null : value, t, t + 2), ...(k.key === 'hits' ? {} : { key: k.key }) });
    }
  }
  const keys: KeyEvidence[] = chosen.map((k) => ({ ...k, baseline: 0, finalRead: (count.get(k.key) ?? 0) - (k === lossy ? 3 : 0) }));
  return { e: evidence({ history: OpTable.from(ops), keys, baseline: 0, finalRead: keys[0]!.finalRead }), lossy, landed, keys, acked };
}

describe('many keys a shard, each judged on its own', () => {
  it('fails the one key of 24 that lost writes, naming it and its slot, and passes the rest', () => {
    const { e, lossy, keys } = recorded();
    expect(keys).toHaveLength(24);
    const r = counterChecker(e);
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(new RegExp(`^1 of 24 keys over 3 shards failed: key ${lossy.key.replace(/[{}]/g, '\\$&')} \\(slot ${lossy.slot}, redis-cluster-1's shard\\): 3 acknowledged increments lost`));
    const perKey = r.details.perKey as { key: string; slot: number; valid: unknown; lostAcknowledged: number | null }[];
    expect(perKey).toHaveLength(24);
    expect(perKey.filter((k) => k.valid !== true)).toEqual([expect.objectContaining({ key: lossy.key, slot: lossy.slot, valid: false, lostAcknowledged: 3 })]);
  });

  it('a total over the keys would hide it: the loss and the landed INCRs cancel', () => {
    const { keys, acked } = recorded();
    const delta = keys.reduce((n, k) => n + k.finalRead! - k.baseline, 0);
    expect(delta).toBe([...acked.values()].reduce((n, x) => n + x, 0));
  });

  it('keeps availability per shard: three shards, each with all its keys\' writes', () => {
    const { e } = recorded();
    const shards = availabilityChecker(e).details.shards as { masterAtStart: string; ok: number }[];
    expect(shards.map((s) => [s.masterAtStart, s.ok])).toEqual([['redis-cluster-0', 80], ['redis-cluster-1', 80], ['redis-cluster-2', 77]]);
  });
});
