import { longestGap } from './availability.ts';
import { isEnding, isWrite, perShard, checker } from './types.ts';

/**
 * The shards a fault did not touch keep serving: for each key whose master at the start was never
 * the target of a fault while it was master, the longest stretch without an ok INCR must stay
 * within the node timeout. With `cluster-require-full-coverage no`, a shard that is down (its
 * master and replica killed, a node crashed, a zone cut off) must not take the others with it.
 * A scenario states this expectation (`otherShards: 'serve'`); elsewhere the check reports only.
 */
export const otherShardsChecker = checker((e) => {
  const faultedMasters = new Set(e.faults.filter((f) => f.role === 'master' && !isEnding(f)).map((f) => f.target));
  const ops = [...e.history];
  const start = ops.length ? Math.min(...ops.slice(0, 64).map((o) => o.invokeNs / 1e6)) : 0;
  const end = ops.reduce((m, o) => Math.max(m, o.completeNs / 1e6), 0);
  const limitMs = e.nodeTimeoutMs;
  const others = perShard(e).filter(({ k }) => k.masterAtStart !== null && !faultedMasters.has(k.masterAtStart))
    .map(({ k, ops: keyOps }) => ({ key: k.key || 'hits', slot: k.slot, master: k.masterAtStart!, gap: longestGap(keyOps, start, end), ok: keyOps.filter((o) => o.type === 'ok' && isWrite(o)).length }));
  const details = { applicable: e.expect.otherShards === 'serve', limitMs, shards: others.map((o) => ({ key: o.key, slot: o.slot, master: o.master, longestGapMs: Math.round(o.gap.ms), fromMs: Math.round(o.gap.fromMs), ok: o.ok })) };
  if (e.expect.otherShards !== 'serve') return { valid: true, message: 'not an expectation of this scenario', details };
  if (others.length === 0) return { valid: 'unknown', message: 'every shard under load had a faulted master: no other shard to judge', details };
  const bad = others.filter((o) => o.gap.ms > limitMs);
  const line = (o: (typeof others)[number]) => `${o.key} (slot ${o.slot}, ${o.master}'s shard) ${Math.round(o.gap.ms)} ms from ${(o.gap.fromMs / 1000).toFixed(1)} s`;
  if (bad.length) return { valid: false, message: `shards no fault touched stopped serving for longer than the node timeout (${limitMs} ms): ${bad.map(line).join('; ')}`, details };
  return { valid: true, message: `the shards no fault touched kept serving: longest gaps ${others.map((o) => `${o.key} ${Math.round(o.gap.ms)} ms`).join(', ')} (limit ${limitMs} ms)`, details };
});
