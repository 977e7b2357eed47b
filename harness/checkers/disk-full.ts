import { rangesContain } from '../cluster/slots.ts';
import type { Op } from '../workload/history.ts';
import { faultEndMs, perKey, checker, type FaultRecord, type KeyEvidence, type RunEvidence } from './types.ts';

/**
 * How long after the free a shard may still refuse writes. Redis 7.0 keeps the AOF data it could
 * not write and retries it at every turn of its event loop (and from its cron), taking writes
 * again as soon as one succeeds: measured, the first ok write came 2 ms after the fill file was
 * removed. The rest is slack for a loaded machine, the app and the clients.
 */
export const DISK_RECOVERY_MS = 5000;

/** What Redis (through the app) says when its disk is full: MISCONF, or the errno itself. */
export const isDiskError = (error: string | null) => error !== null && /MISCONF|No space left on device|ENOSPC/i.test(error);

/** A fill's window on one shard: from the fill until the free, plus the grace to recover. */
interface FillWindow {
  fill: FaultRecord;
  /** The keys in the filled master's slots: the first is named; their writes are judged together, as the shard's. */
  keys: KeyEvidence[];
  ops: Op[];
  fromMs: number;
  freedMs: number | null;
}

const atMs = (o: Op) => o.invokeNs / 1e6;
const tally = (ops: Op[]) => {
  const byError = new Map<string, number>();
  for (const o of ops) if (o.type !== 'ok') byError.set(`${o.type}: ${o.error ?? 'unknown'}`, (byError.get(`${o.type}: ${o.error ?? 'unknown'}`) ?? 0) + 1);
  return { ok: ops.filter((o) => o.type === 'ok').length, refused: ops.filter((o) => o.type === 'fail').length, indeterminate: ops.filter((o) => o.type === 'info').length, byError: Object.fromEntries(byError) };
};

/** `data-redis-cluster-1 (requests.storage 4Mi)`, from the run's claim templates. */
function claimsOf(e: RunEvidence, pod: string | null): string {
  if (!pod) return 'its claim';
  const claims = e.claims ?? [];
  if (claims.length === 0) return `${pod}'s volume`;
  return claims.map((c) => `claim ${c.name}-${pod} (requests.storage ${c.storage ?? 'unset'})`).join(', ');
}

/**
 * A full volume must cost availability, never data: while the harness keeps a master's volume
 * full, its shard may refuse writes (Redis answers MISCONF once an AOF write fails; nothing
 * acknowledged may be lost, which `counter` judges); once freed, the shard must take writes
 * again within DISK_RECOVERY_MS. A write refused for a full disk outside any fill means a volume
 * filled up by itself: its claim is too small for what Redis writes to it. Reports what Redis said.
 */
export const diskFullChecker = checker((e) => {
  const keys = perKey(e);
  const fills = e.faults.filter((f) => f.kind === 'fill-disk');
  // Writes only: a full master still serves reads.
  const windows: FillWindow[] = fills.flatMap((fill) => {
    const mine = keys.filter(({ k }) => rangesContain(fill.slots, k.slot));
    if (mine.length === 0) return [];
    const end = faultEndMs(fill, e.faults, Number.NaN);
    const ops = mine.flatMap(({ ops: o }) => o.filter((x) => x.f === 'incr')).sort((a, b) => a.invokeNs - b.invokeNs);
    return [{ fill, keys: mine.map(({ k }) => k), ops, fromMs: fill.atMs, freedMs: Number.isNaN(end) || end === fill.atMs ? null : end }];
  });
  // A fill's refusals run from the fill until the shard's first ok write after the free (or the
  // deadline, if that comes later): a shard that never recovers is the fill's failure, judged below.
  const until = (w: FillWindow) => {
    if (w.freedMs === null) return Infinity;
    const firstOk = w.ops.find((o) => atMs(o) > w.freedMs! && o.type === 'ok');
    return Math.max(w.freedMs + DISK_RECOVERY_MS, firstOk ? atMs(firstOk) : Infinity);
  };
  const covered = (o: Op, k: KeyEvidence) => windows.some((w) => w.keys.includes(k) && atMs(o) >= w.fromMs && atMs(o) <= until(w));

  // A full disk the harness did not make: the claim is too small for the AOF (or the node's disk is full).
  // Per shard: a master's keys share its volume, so its line names the first key and counts the rest.
  const byShard = new Map<string, { k: KeyEvidence; keys: number; refused: Op[] }>();
  for (const { k, ops } of keys) {
    const refused = ops.filter((o) => isDiskError(o.error) && !covered(o, k));
    if (refused.length === 0) continue;
    const shard = byShard.get(k.masterAtStart ?? k.key);
    if (shard) {
      shard.keys++;
      shard.refused.push(...refused);
    } else byShard.set(k.masterAtStart ?? k.key, { k, keys: 1, refused });
  }
  const unforced = [...byShard.values()].map((x) => ({ ...x, refused: x.refused.sort((a, b) => a.invokeNs - b.invokeNs) }));
  if (unforced.length) {
    const lines = unforced.map(({ k, keys: n, refused }) => `${claimsOf(e, k.masterAtStart)} filled up with no fill by the harness: ${refused.length} writes to ${k.key || 'the default key'}${n > 1 ? ` and ${n - 1} other keys` : ''} (slot ${k.slot}, on ${k.masterAtStart ?? '?'}) refused from ${(atMs(refused[0]!) / 1000).toFixed(1)} s on, Redis said "${refused[0]!.error}"`);
    return { valid: false, message: `${lines.join('; ')}: the volume is too small for what Redis writes to it`, details: { unforced: unforced.map(({ k, refused }) => ({ key: k.key, slot: k.slot, master: k.masterAtStart, refused: refused.length, firstAtMs: Math.round(atMs(refused[0]!)), error: refused[0]!.error })) } };
  }
  if (fills.length === 0) return { valid: true, message: 'no volume was filled, and none filled up by itself', details: { applicable: false } };

  const results = windows.map((w) => judge(w, e));
  const details = { applicable: true, recoveryDeadlineMs: DISK_RECOVERY_MS, fills: results.map(({ message: _m, valid: _v, ...r }) => r) };
  const failed = results.filter((r) => r.valid === false);
  if (failed.length) return { valid: false, message: failed.map((r) => r.message).join('; '), details };
  if (results.some((r) => r.valid === 'unknown')) return { valid: 'unknown', message: results.map((r) => r.message).join('; '), details };
  if (results.length === 0) return { valid: 'unknown', message: `no counter key lives on ${fills.map((f) => f.target).join(', ')}: a fill nobody wrote to cannot be judged`, details };
  return { valid: true, message: results.map((r) => r.message).join('; '), details };
});

function judge(w: FillWindow, e: RunEvidence) {
  const { fill, keys, ops, fromMs, freedMs } = w;
  const key = keys[0]!;
  const base = { target: fill.target, key: key.key, slot: key.slot, keys: keys.length };
  const name = `${fill.target}'s volume (${claimsOf(e, fill.target)})`;
  if (freedMs === null) return { ...base, valid: 'unknown' as const, message: `${name} was filled and never freed`, recoveredAfterMs: null };
  const during = ops.filter((o) => atMs(o) >= fromMs && atMs(o) <= freedMs);
  const t = tally(during);
  const firstRefusal = during.find((o) => isDiskError(o.error));
  const said = firstRefusal ? `Redis said "${firstRefusal.error}" ${Math.round(atMs(firstRefusal) - fromMs)} ms after the fill` : 'no write was refused for a full disk (does Redis write to this volume? appendonly no?)';
  const full = `${name} full for ${Math.round(freedMs - fromMs)} ms: ${t.ok} writes acknowledged, ${t.refused} refused, ${t.indeterminate} indeterminate; ${said}`;
  const after = ops.filter((o) => atMs(o) > freedMs);
  const firstOk = after.find((o) => o.type === 'ok');
  if (after.length === 0) return { ...base, valid: 'unknown' as const, message: `${full}; no write to ${keys.length > 1 ? `its ${keys.length} keys` : key.key || 'the default key'} after the free, so its recovery cannot be judged`, recoveredAfterMs: null, during: t };
  const recoveredAfterMs = firstOk ? Math.round(atMs(firstOk) - freedMs) : null;
  if (recoveredAfterMs === null || recoveredAfterMs > DISK_RECOVERY_MS) {
    const lastError = after.filter((o) => o.type !== 'ok').at(-1)?.error ?? 'unknown';
    return { ...base, valid: false as const, message: `${full}; but the shard did not take writes again within ${DISK_RECOVERY_MS} ms of the free (${recoveredAfterMs === null ? `never, last error "${lastError}"` : `first ok write after ${recoveredAfterMs} ms`})`, recoveredAfterMs, during: t };
  }
  return { ...base, valid: true as const, message: `${full}; writes ok again ${recoveredAfterMs} ms after the free (deadline ${DISK_RECOVERY_MS})`, recoveredAfterMs, during: t };
}
