import type { Op } from '../workload/history.ts';
import { perKey, seconds, checker, type KeyEvidence } from './types.ts';
import { blindCrashWords, excusedOps, isExcused, minorityLosses } from './minority-writes.ts';

const SHOW = 5;

function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const describe = (o: Op) => `process ${o.process} ${o.f === 'incr' ? 'INCR' : 'read'} → ${o.value} [${seconds(o.invokeNs)}–${seconds(o.completeNs)}]`;

/**
 * Jepsen's counter bounds, plus what Jepsen lacks for a counter that returns its value:
 * - bounds: an ok value lies between the ok INCRs completed before it was invoked (plus itself for an
 *   INCR) and the INCRs invoked and not known failed before it completed, offset by the baseline;
 * - monotonic: an op that starts after another ended sees a larger value (an INCR) or no smaller (a read);
 * - unique: no two ok INCRs return the same value;
 * - final read: acknowledged ≤ final − baseline ≤ acknowledged + indeterminate.
 */
export const counterChecker = checker((e) => {
  if (e.workload === 'append') return { valid: true, message: 'not applicable: no counter workload (--workload append)', details: { applicable: false } };
  // Writes lost inside a documented minority window are judged as indeterminate: they may or may
  // not survive, and minority-writes counts them. Any other loss still fails here.
  const losses = minorityLosses(e);
  const excused = excusedOps(e, losses);
  // A key whose every acknowledged write a crash's window excused, none surviving, cannot pass.
  const blind = new Map(losses.filter((l) => l.blind).map((l) => [l.key.key, blindCrashWords(l.target, l.cutMs)]));
  const judgeKey = (ops: Op[], k: KeyEvidence) => {
    const r = judge(ops, k.baseline, k.finalRead);
    const why = blind.get(k.key);
    return r.valid === true && why ? { ...r, valid: 'unknown' as const, message: `${r.message}, but ${why}` } : r;
  };
  const keys = perKey(e).map(({ k, ops }) => ({ k, ops: excused.size ? ops.map((o) => (isExcused(excused, o) ? { ...o, type: 'info' as const } : o)) : ops }));
  if (keys.length === 1) return judgeKey(keys[0]!.ops, keys[0]!.k);
  // Independent keys (Jepsen's): each its own counter, judged on its own operations, so a loss on
  // one key is not hidden by another's indeterminate INCRs that landed. One false fails the run,
  // any unknown keeps it from passing.
  const results = keys.map(({ k, ops }) => ({ k, r: judgeKey(ops, k) }));
  const label = ({ k }: (typeof results)[number]) => `key ${k.key} (slot ${k.slot}, ${k.masterAtStart ?? '?'}'s shard)`;
  type Figure = 'attempted' | 'baseline' | 'acknowledged' | 'failed' | 'indeterminate' | 'finalCount' | 'lostAcknowledged' | 'phantom';
  const sum = (f: Figure) => results.reduce<number | null>((n, { r }) => { const v = r.details[f]; return n === null || v === null ? null : n + v; }, 0);
  const details = {
    attempted: sum('attempted'), baseline: sum('baseline'), acknowledged: sum('acknowledged'), failed: sum('failed'), indeterminate: sum('indeterminate'),
    finalCount: sum('finalCount'), lostAcknowledged: sum('lostAcknowledged'), phantom: sum('phantom'),
    perKey: results.map(({ k, r }) => ({ key: k.key, slot: k.slot, masterAtStart: k.masterAtStart, valid: r.valid, message: r.message, ...pick(r.details) })),
  };
  const bad = results.filter(({ r }) => r.valid === false);
  const shards = new Set(keys.map(({ k }) => k.masterAtStart ?? k.key)).size;
  const over = `${keys.length} keys over ${shards} shard${shards === 1 ? '' : 's'}`;
  if (bad.length) return { valid: false, message: `${bad.length} of ${over} failed: ${named(bad.map((x) => `${label(x)}: ${x.r.message}`))}`, details };
  const unknown = results.filter(({ r }) => r.valid === 'unknown');
  if (unknown.length) return { valid: 'unknown', message: `${unknown.length} of ${over} not judged: ${named(unknown.map((x) => `${label(x)}: ${x.r.message}`))}`, details };
  return { valid: true, message: `${over}, each within its bounds: ${details.acknowledged} acknowledged, ${details.indeterminate} indeterminate, ${details.failed} failed in all`, details };
});

/** Keys named in a message; the rest counted (details.perKey has every one). */
const NAMED = 10;
const named = (lines: string[]) => lines.slice(0, NAMED).join('; ') + (lines.length > NAMED ? `; and ${lines.length - NAMED} more (checks.json, perKey)` : '');

const pick = (d: ReturnType<typeof judge>['details']) => ({
  acknowledged: d.acknowledged, failed: d.failed, indeterminate: d.indeterminate, baseline: d.baseline, finalCount: d.finalCount,
  lostAcknowledged: d.lostAcknowledged, phantom: d.phantom,
});

/** One key's verdict and figures (the run's when it has one key). */
function judge(ops: Op[], baseline: number, finalRead: number | null) {
  const incr = ops.filter((o) => o.f === 'incr');
  const ok = ops.filter((o) => o.type === 'ok' && o.value !== null);
  const okIncrDone = Float64Array.from(incr.filter((o) => o.type === 'ok').map((o) => o.completeNs)).sort();
  const attempted = Float64Array.from(incr.filter((o) => o.type !== 'fail').map((o) => o.invokeNs)).sort();

  const outOfBounds: { op: string; lower: number; upper: number }[] = [];
  for (const o of ok) {
    const lower = baseline + countBelow(okIncrDone, o.invokeNs) + (o.f === 'incr' ? 1 : 0);
    const upper = baseline + countBelow(attempted, o.completeNs + 1);
    if (o.value! < lower || o.value! > upper) outOfBounds.push({ op: describe(o), lower, upper });
  }

  const backwards: { earlier: string; later: string }[] = [];
  const byInvoke = [...ok].sort((a, b) => a.invokeNs - b.invokeNs);
  const byComplete = [...ok].sort((a, b) => a.completeNs - b.completeNs);
  let j = 0;
  let max: Op | null = null;
  for (const b of byInvoke) {
    while (j < byComplete.length && byComplete[j]!.completeNs < b.invokeNs) {
      if (!max || byComplete[j]!.value! > max.value!) max = byComplete[j]!;
      j++;
    }
    if (max && (b.f === 'incr' ? b.value! <= max.value! : b.value! < max.value!)) backwards.push({ earlier: describe(max), later: describe(b) });
  }

  const seen = new Map<number, Op>();
  const duplicates: { value: number; first: string; second: string }[] = [];
  for (const o of ok.filter((x) => x.f === 'incr')) {
    const prior = seen.get(o.value!);
    if (prior) duplicates.push({ value: o.value!, first: describe(prior), second: describe(o) });
    else seen.set(o.value!, o);
  }

  const acknowledged = incr.filter((o) => o.type === 'ok').length;
  const indeterminate = incr.filter((o) => o.type === 'info').length;
  const failed = incr.filter((o) => o.type === 'fail').length;
  const delta = finalRead === null ? null : finalRead - baseline;
  const lostAcknowledged = delta === null ? null : Math.max(0, acknowledged - delta);
  const phantom = delta === null ? null : Math.max(0, delta - acknowledged - indeterminate);

  const problems: string[] = [];
  if (lostAcknowledged) problems.push(`${lostAcknowledged} acknowledged increments lost: final read ${finalRead} − baseline ${baseline} = ${delta}, but ${acknowledged} INCRs were acknowledged`);
  if (phantom) problems.push(`${phantom} phantom increments: final read ${finalRead} − baseline ${baseline} = ${delta}, above ${acknowledged} acknowledged + ${indeterminate} indeterminate`);
  if (outOfBounds.length) problems.push(`${outOfBounds.length} values out of bounds, first: ${outOfBounds[0]!.op} outside [${outOfBounds[0]!.lower}, ${outOfBounds[0]!.upper}]`);
  if (backwards.length) problems.push(`${backwards.length} values went backwards, first: ${backwards[0]!.later} after ${backwards[0]!.earlier}`);
  if (duplicates.length) problems.push(`${duplicates.length} duplicate INCR values, first: ${duplicates[0]!.value} from ${duplicates[0]!.first} and ${duplicates[0]!.second}`);

  const details = {
    attempted: incr.length, acknowledged, failed, indeterminate, reads: ops.length - incr.length,
    baseline, finalCount: finalRead, lostAcknowledged, phantom,
    outOfBounds: outOfBounds.slice(0, SHOW), backwards: backwards.slice(0, SHOW), duplicates: duplicates.slice(0, SHOW),
    counts: { outOfBounds: outOfBounds.length, backwards: backwards.length, duplicates: duplicates.length },
  };
  if (problems.length) return { valid: false as const, message: problems.join('; '), details };
  if (finalRead === null) return { valid: 'unknown' as const, message: 'the final read failed, so lost or phantom increments cannot be judged', details };
  if (acknowledged === 0) return { valid: 'unknown' as const, message: 'no INCR was acknowledged: nothing to judge', details };
  return {
    valid: true as const,
    message: `${acknowledged} acknowledged, ${indeterminate} indeterminate, ${failed} failed; final ${finalRead} (baseline ${baseline}) within [${baseline + acknowledged}, ${baseline + acknowledged + indeterminate}]`,
    details,
  };
}
