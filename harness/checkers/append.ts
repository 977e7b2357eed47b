import { rangesContain } from '../cluster/slots.ts';
import type { Op } from '../workload/history.ts';
import { blindCrashWords, lossWindows, type LossWindow } from './minority-writes.ts';
import { seconds, checker, type ListEvidence, type RunEvidence } from './types.ts';

// Enough lost or rolled-back values to line up with the faults; the counts say how many in all.
const SHOW = 20;
// Each read that is a prefix of no other starts a branch; past this many the run is plainly broken.
const MAX_BRANCHES = 32;

/** A list as some read saw it: the final read is a read that began after everything ended. */
interface Read {
  list: number[];
  invokeNs: number;
  completeNs: number;
  what: string;
}

export interface LostAppend {
  key: string;
  /** The master cut off in a minority, or paused past its failover, inside whose documented window the append was taken, if any. */
  window?: string;
  value: number;
  process: number;
  invokeMs: number;
  ackMs: number;
  /** When a read first returned it (it was there, then went), or null if no read saw it. */
  seenMs: number | null;
}

export interface RolledBack {
  key: string;
  window?: string;
  value: number;
  /** The read that saw it, and when that read completed. */
  seenBy: string;
  seenMs: number;
  /** The later read without it, and when that read began (null for the final read). */
  missingFrom: string;
  missingMs: number | null;
}

export interface Reordered {
  key: string;
  /** `first` came before `second` in the earlier read, after it in the later one. */
  first: number;
  second: number;
  earlier: string;
  later: string;
}

const ms = (ns: number) => Math.round(ns / 1e4) / 100;
const readOf = (o: Op): Read => ({ list: o.list ?? [], invokeNs: o.invokeNs, completeNs: o.completeNs, what: `process ${o.process} read [${seconds(o.invokeNs)}–${seconds(o.completeNs)}] (${o.list?.length ?? 0} values)` });

/**
 * Jepsen's list-append, for one list beside each counter key: every append writes a value no other append writes,
 * so a value in a list names the append that put it there. On a single Redis master a list only
 * grows at its end, so every read is a prefix of every later one. Per list:
 * - lost: an acknowledged append missing from the final read (with its value and ack time);
 * - rollback: a value a read returned and a read begun after that one completed (or the final read) lacks:
 *   it was applied, then undone, as a replica promoted without it undoes it;
 * - reordered: two values one read returned in one order and a later read in the other;
 * - duplicate: a value twice in one read;
 * - unwritten: a value in a read that no append attempted.
 * An indeterminate or failed append may appear or not; failed ones that appear are counted.
 */
export const appendChecker = checker((e) => {
  const lists = e.lists ?? [];
  const ops = lists.length ? [...e.history].filter((o) => o.f === 'append' || o.f === 'read-list') : [];
  if (lists.length === 0) return { valid: true, message: 'not applicable: no append workload (--workload append or both)', details: { applicable: false } };
  const byKey = new Map<string, Op[]>(lists.map((l) => [l.key, []]));
  for (const o of ops) byKey.get(o.key ?? '')?.push(o);
  const windows = lossWindows(e);
  const results = lists.map((l) => ({ l, r: judgeList(l, byKey.get(l.key)!, windows.filter((w) => rangesContain(w.slots, l.slot))) }));

  const all = <T>(pick: (r: ListJudgement) => T[]) => results.flatMap(({ r }) => pick(r));
  const sum = (pick: (r: ListJudgement) => number) => results.reduce((n, { r }) => n + pick(r), 0);
  // Inside a documented loss window (minority-writes.ts) a loss is Redis Cluster's stated behaviour: reported, not failed.
  const lost = all((r) => r.lost).filter((x) => !x.window);
  const rollbacks = all((r) => r.rollbacks).filter((x) => !x.window);
  const excused = { lost: all((r) => r.lost).filter((x) => x.window), rollbacks: all((r) => r.rollbacks).filter((x) => x.window) };
  const reordered = all((r) => r.reordered);
  const duplicates = all((r) => r.duplicates);
  const unwritten = all((r) => r.unwritten);
  const finalFailed = results.filter(({ r }) => r.finalRead === null);
  const details = {
    applicable: true,
    attempted: sum((r) => r.attempted), acknowledged: sum((r) => r.acknowledged), failed: sum((r) => r.failed), indeterminate: sum((r) => r.indeterminate),
    reads: sum((r) => r.reads), failedSeen: sum((r) => r.failedSeen),
    lostAcknowledged: finalFailed.length ? null : lost.length,
    counts: { lost: lost.length, rollbacks: rollbacks.length, reordered: reordered.length, duplicates: duplicates.length, unwritten: unwritten.length },
    lost: lost.slice(0, SHOW), rollbacks: rollbacks.slice(0, SHOW),
    minorityWindow: {
      windows: windows.map(({ target, cutMs, windowEndMs }) => ({ target, cutMs, windowEndMs })), lostAcknowledged: excused.lost.length, rolledBack: excused.rollbacks.length,
      lost: excused.lost.slice(0, SHOW), lastAckMs: excused.lost.reduce<number | null>((m, x) => Math.max(m ?? 0, x.ackMs), null),
    }, reordered: reordered.slice(0, SHOW), duplicates: duplicates.slice(0, SHOW), unwritten: unwritten.slice(0, SHOW),
    perKey: results.map(({ l, r }) => ({
      key: l.key, slot: l.slot, masterAtStart: l.masterAtStart, attempted: r.attempted, acknowledged: r.acknowledged, failed: r.failed, indeterminate: r.indeterminate,
      lostAcknowledged: r.finalRead === null ? null : r.lost.filter((x) => !x.window).length, lostInMinorityWindow: r.lost.filter((x) => x.window).length,
      reads: r.reads, finalLength: r.finalRead?.length ?? null, lost: r.lost.filter((x) => !x.window).length, rollbacks: r.rollbacks.filter((x) => !x.window).length, reordered: r.reordered.length,
      duplicates: r.duplicates.length, unwritten: r.unwritten.length, branchesCapped: r.branchesCapped,
    })),
  };

  const problems: string[] = [];
  if (lost.length) problems.push(`${lost.length} acknowledged appends lost, first: ${describeLost(lost[0]!)}`);
  if (rollbacks.length) problems.push(`${rollbacks.length} values rolled back, first: ${describeRollback(rollbacks[0]!)}`);
  if (reordered.length) problems.push(`${reordered.length} reordered, first: in ${reordered[0]!.key}, ${reordered[0]!.first} before ${reordered[0]!.second} in ${reordered[0]!.earlier}, after it in ${reordered[0]!.later}`);
  if (duplicates.length) problems.push(`${duplicates.length} duplicated values, first: ${duplicates[0]!.value} twice in ${duplicates[0]!.key}'s ${duplicates[0]!.read}`);
  if (unwritten.length) problems.push(`${unwritten.length} values no append wrote, first: ${unwritten[0]!.value} in ${unwritten[0]!.key}'s ${unwritten[0]!.read}`);
  if (problems.length) return { valid: false, message: problems.join('; '), details };
  if (finalFailed.length) return { valid: 'unknown', message: `the final read of ${finalFailed.map(({ l }) => l.key).join(', ')} failed, so lost appends cannot be judged`, details };
  const blind = results.filter(({ r }) => r.blind);
  if (blind.length) return { valid: 'unknown', message: `${blind.length} of ${lists.length} lists not judged: ${blind.map(({ l }) => l.key).slice(0, 3).join(', ')}${blind.length > 3 ? ', …' : ''}: ${blind[0]!.r.blind}`, details };
  const idle = results.filter(({ r }) => r.acknowledged === 0);
  if (idle.length) return { valid: 'unknown', message: `no append to ${idle.map(({ l }) => l.key).join(', ')} was acknowledged: nothing to judge`, details };
  const inWindow = excused.lost.length + excused.rollbacks.length === 0 ? ''
    : `; ${excused.lost.length} acknowledged appends lost and ${excused.rollbacks.length} values rolled back inside the documented loss window of ${windows.map((w) => `${w.target} (${w.kind === 'stalled-replica' ? `failed with ${w.replica} stalled` : w.kind === 'pause' ? 'paused' : w.kind === 'crash' ? 'crashed' : 'cut'} at ${(w.cutMs / 1000).toFixed(3)}s, window to ${(w.windowEndMs / 1000).toFixed(3)}s)`).join(', ')}, the last acknowledged at ${((details.minorityWindow.lastAckMs ?? 0) / 1000).toFixed(3)}s: Redis's documented loss`;
  return {
    valid: true, details,
    message: `${lists.length} lists, each judged on its own: ${details.acknowledged - excused.lost.length} acknowledged appends all in the final reads, ${details.indeterminate} indeterminate, ${details.failed} failed`
      + `${details.failedSeen ? ` (${details.failedSeen} failed yet present)` : ''}; ${details.reads} reads, no rollback, reorder, duplicate or unwritten value${inWindow ? ' outside it' : ''}${inWindow}`,
  };
});

export const describeLost = (l: LostAppend) => `${l.value} in ${l.key} (process ${l.process}, acknowledged at ${(l.ackMs / 1000).toFixed(3)}s${l.seenMs === null ? '' : `, read at ${(l.seenMs / 1000).toFixed(3)}s`})`;
const describeRollback = (r: RolledBack) => `${r.value} in ${r.key}, seen by ${r.seenBy}, missing from ${r.missingFrom}`;

interface ListJudgement {
  attempted: number;
  acknowledged: number;
  failed: number;
  indeterminate: number;
  failedSeen: number;
  reads: number;
  finalRead: number[] | null;
  lost: LostAppend[];
  rollbacks: RolledBack[];
  reordered: Reordered[];
  duplicates: { key: string; value: number; read: string }[];
  unwritten: { key: string; value: number; read: string }[];
  branchesCapped: boolean;
  /** Why the list cannot be judged: a crash window held every acknowledged append and none survived (MinorityLoss.blind). */
  blind: string | null;
}

const windowOf = (windows: LossWindow[], a: Op | undefined) =>
  (a ? windows.find((w) => a.completeNs > w.fromMs * 1e6 && a.invokeNs <= w.windowEndMs * 1e6)?.target : undefined);

function judgeList(l: ListEvidence, ops: Op[], windows: LossWindow[]): ListJudgement {
  const appends = new Map<number, Op>();
  for (const o of ops) if (o.f === 'append' && o.value !== null) appends.set(o.value, o);
  const reads = ops.filter((o) => o.f === 'read-list' && o.type === 'ok' && o.list).map(readOf).sort((a, b) => a.completeNs - b.completeNs);
  const all = l.finalRead === null ? reads : [...reads, { list: l.finalRead, invokeNs: Infinity, completeNs: Infinity, what: 'the final read' }];
  const sets = new Map<Read, Set<number>>(all.map((r) => [r, new Set(r.list)]));

  const duplicates: ListJudgement['duplicates'] = [];
  const unwritten: ListJudgement['unwritten'] = [];
  // Each value once, at the first read that shows it so: the rest of a long run repeats it.
  const doubled = new Set<number>();
  const strangers = new Set<number>();
  const failedSeen = new Set<number>();
  for (const r of all) {
    const seen = new Set<number>();
    for (const v of r.list) {
      if (seen.has(v) && !doubled.has(v)) {
        doubled.add(v);
        duplicates.push({ key: l.key, value: v, read: r.what });
      }
      seen.add(v);
      const a = appends.get(v);
      if (!a && !strangers.has(v)) {
        strangers.add(v);
        unwritten.push({ key: l.key, value: v, read: r.what });
      }
      if (a?.type === 'fail') failedSeen.add(v);
    }
  }

  // Where each value was first seen: by the read that completed first with it.
  const firstSeen = new Map<number, Read>();
  for (const r of reads) for (const v of r.list) if (!firstSeen.has(v)) firstSeen.set(v, r);

  const lost: LostAppend[] = [];
  const finalSet = l.finalRead === null ? null : sets.get(all.at(-1)!)!;
  if (finalSet) {
    for (const a of appends.values()) {
      if (a.type !== 'ok' || finalSet.has(a.value!)) continue;
      const seen = firstSeen.get(a.value!);
      const window = windowOf(windows, a);
      lost.push({ key: l.key, ...(window ? { window } : {}), value: a.value!, process: a.process, invokeMs: ms(a.invokeNs), ackMs: ms(a.completeNs), seenMs: seen ? ms(seen.completeNs) : null });
    }
    lost.sort((a, b) => a.ackMs - b.ackMs);
  }
  const acked = [...appends.values()].filter((a) => a.type === 'ok');
  const blindIn = finalSet && windows.find((w) => {
    const before = acked.filter((a) => a.completeNs <= w.windowEndMs * 1e6);
    return w.kind === 'crash' && before.length > 0 && before.every((a) => a.completeNs > w.fromMs * 1e6 && !finalSet.has(a.value!));
  });

  return {
    attempted: appends.size, acknowledged: count(appends, 'ok'), failed: count(appends, 'fail'), indeterminate: count(appends, 'info'),
    failedSeen: failedSeen.size, reads: reads.length, finalRead: l.finalRead, lost, ...reorders(l.key, all), duplicates, unwritten,
    blind: blindIn ? blindCrashWords(blindIn.target, blindIn.cutMs) : null,
    rollbacks: rollbacksOf(l.key, all, sets).map((r) => {
      const window = windowOf(windows, appends.get(r.value));
      return window ? { ...r, window } : r;
    }),
  };
}

const count = (appends: Map<number, Op>, type: Op['type']) => [...appends.values()].filter((a) => a.type === type).length;

/**
 * A value must stay in every read that begins after a read that returned it has completed. Reads
 * taken in order of their start; values become due in order of their first read's completion.
 */
function rollbacksOf(key: string, all: Read[], sets: Map<Read, Set<number>>): RolledBack[] {
  const byCompletion = [...all].sort((a, b) => a.completeNs - b.completeNs);
  const byInvoke = [...all].sort((a, b) => a.invokeNs - b.invokeNs);
  const due = new Map<number, Read>();
  const reported = new Set<number>();
  const out: RolledBack[] = [];
  let j = 0;
  for (const later of byInvoke) {
    while (j < byCompletion.length && byCompletion[j]!.completeNs < later.invokeNs) {
      for (const v of byCompletion[j]!.list) if (!due.has(v)) due.set(v, byCompletion[j]!);
      j++;
    }
    const has = sets.get(later)!;
    for (const [v, seenBy] of due) {
      if (has.has(v) || reported.has(v)) continue;
      reported.add(v);
      out.push({ key, value: v, seenBy: seenBy.what, seenMs: ms(seenBy.completeNs), missingFrom: later.what, missingMs: Number.isFinite(later.invokeNs) ? ms(later.invokeNs) : null });
    }
  }
  return out;
}

/**
 * Pairs of values two reads return in opposite orders. A read that is a prefix of one already seen
 * agrees with everything that one agrees with; any other is compared with each read no other
 * extends (a branch: one, unless something already went wrong), then becomes one itself.
 */
function reorders(key: string, all: Read[]): { reordered: Reordered[]; branchesCapped: boolean } {
  const branches: { read: Read; position: Map<number, number> }[] = [];
  const reordered: Reordered[] = [];
  let branchesCapped = false;
  for (const r of all) {
    if (branches.some((b) => isPrefix(r.list, b.read.list))) continue;
    for (const b of branches) {
      // Walking r in its order, a value placed before the furthest one yet (in b's order) swapped with it.
      let furthest: number | null = null;
      let furthestAt = -1;
      for (const v of r.list) {
        const at = b.position.get(v);
        if (at === undefined) continue;
        if (at < furthestAt) {
          reordered.push({ key, first: v, second: furthest!, earlier: b.read.what, later: r.what });
          break; // one pair per two reads: enough to show they disagree
        }
        furthest = v;
        furthestAt = at;
      }
    }
    const kept = branches.filter((b) => !isPrefix(b.read.list, r.list));
    if (kept.length >= MAX_BRANCHES) branchesCapped = true;
    else kept.push({ read: r, position: positions(r.list) });
    branches.splice(0, branches.length, ...kept);
  }
  return { reordered, branchesCapped };
}

function isPrefix(a: number[], b: number[]): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function positions(list: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const [i, v] of list.entries()) if (!m.has(v)) m.set(v, i);
  return m;
}
