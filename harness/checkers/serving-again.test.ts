// serving-again on recorded histories: an app that serves every shard again after the recovery,
// one that never does (a client stuck on the old addresses, as ioredis#1732 left the hit counter
// after a full restart on new IPs), one that does only late, and what is too little to judge.
import { describe, expect, it } from 'vitest';
import { OpTable, type Op } from '../workload/history.ts';
import { evidence, fault, op } from '../testing/evidence.ts';
import { SERVING_AGAIN_MS, servingAgainChecker } from './serving-again.ts';

const keys = [
  { key: '', slot: 4994, masterAtStart: 'redis-cluster-0', baseline: 0, finalRead: null },
  { key: 'shard-1-1', slot: 10773, masterAtStart: 'redis-cluster-1', baseline: 0, finalRead: null },
  { key: 'shard-2-1', slot: 13125, masterAtStart: 'redis-cluster-2', baseline: 0, finalRead: null },
];
const RECOVERED = 5000;

/** A write every 100 ms on each key from 0 to `endMs`; `outcome` decides each one's fate. */
function history(endMs: number, outcome: (key: string, atMs: number) => 'ok' | 'fail'): OpTable {
  return OpTable.from(keys.flatMap((k, p) => Array.from({ length: endMs / 100 }, (_, i) => i * 100).map((t, i): Op => {
    const type = outcome(k.key, t);
    return { ...op(p, 'incr', type, type === 'ok' ? i + 1 : null, t, t + 2), error: type === 'ok' ? null : 'not connected', ...(k.key ? { key: k.key } : {}) };
  })));
}
const judge = (h: OpTable, recoveredAtMs: number | null = RECOVERED) =>
  servingAgainChecker(evidence({ history: h, keys, faults: [fault({ kind: 'full-restart', atMs: 1000 })], recoveredAtMs }));
/** Down from the fault (1 s) until `backAtMs` on the shards in `which` (all of them by default). */
const downUntil = (backAtMs: number, which = keys.map((k) => k.key)) => (key: string, t: number) => (which.includes(key) && t >= 1000 && t < backAtMs ? 'fail' : 'ok');

describe('serving-again', () => {
  it('passes when every shard takes writes again soon after the recovery, saying how soon', () => {
    const r = judge(history(8000, downUntil(5600)));
    expect(r.valid).toBe(true);
    expect(r.message).toBe('every shard served again after the recovery: first ok write 602 ms, 602 ms, 602 ms after it (allowed 10 s)');
  });

  it('fails a shard the app never served again in the whole allowance, with what it answered', () => {
    const r = judge(history(RECOVERED + SERVING_AGAIN_MS + 500, downUntil(Infinity, ['shard-2-1'])));
    expect(r.valid).toBe(false);
    expect(r.message).toBe("the app did not serve every shard again within 10 s of the cluster's recovery: shard-2-1 (slot 13125, redis-cluster-2's shard): none of 105 writes in the 10.4 s after it was ok (not connected ×105)");
    expect(r.details.shards?.map((s) => s.ok)).toEqual([105, 105, 0]);
  });

  it('fails a shard served again only after the allowance', () => {
    const r = judge(history(RECOVERED + SERVING_AGAIN_MS + 3000, downUntil(RECOVERED + SERVING_AGAIN_MS + 1000, ['']))) ;
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/^the app did not serve every shard again within 10 s of the cluster's recovery: hits \(slot 4994, redis-cluster-0's shard\): its first ok write came 11\.0 s after it$/);
  });

  it('is unknown, not a failure, when a shard failed for less than the allowance before the run ended', () => {
    const r = judge(history(8000, downUntil(Infinity, ['shard-1-1'])));
    expect(r.valid).toBe('unknown');
    expect(r.message).toBe('not seen serving again after the recovery: shard-1-1 (slot 10773, redis-cluster-1\'s shard): 30 writes in 2.9 s, none ok (not connected ×30), short of the 10 s allowed');
  });

  it('is unknown when no write was tried after the recovery, or the cluster never recovered', () => {
    expect(judge(history(4000, () => 'ok'))).toMatchObject({ valid: 'unknown', message: expect.stringMatching(/hits \(slot 4994, redis-cluster-0's shard\): no write tried after it/) });
    expect(judge(history(8000, () => 'ok'), null)).toMatchObject({ valid: 'unknown', message: 'the cluster never recovered, so the app could not be judged after it' });
  });

  it('counts an append as a write, and a read as none', () => {
    const appends = OpTable.from(keys.map((k, p) => ({ ...op(p, 'append', 'ok', 1, 6000, 6010), ...(k.key ? { key: k.key } : {}) })));
    expect(judge(appends).valid).toBe(true);
    const reads = OpTable.from(keys.map((k, p) => ({ ...op(p, 'read', 'ok', 1, 6000, 6010), ...(k.key ? { key: k.key } : {}) })));
    expect(judge(reads).valid).toBe('unknown');
  });
});
