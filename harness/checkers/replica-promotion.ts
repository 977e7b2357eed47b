import { masterOfSlot, podOfNode, rangesContain, selfEntries } from '../cluster/index.ts';
import { majorityLostWindows } from './majority.ts';
import { faultEffectMs, faultEndMs, isEnding, checker, type FaultKind, type FaultRecord, type RunEvidence } from './types.ts';

export const promotionDeadlineMs = (nodeTimeoutMs: number) => 2 * nodeTimeoutMs + 5000;

/**
 * For each fault on a master: its slots end up served by a former replica (promoted) or by the
 * same node come back (returned). The failover time runs from the fault to the first sample in
 * which another node owns the slot and every master with slots says cluster_state:ok. A promoted-away master
 * must rejoin as a replica of its successor with its link up.
 */
export const replicaPromotionChecker = checker((e) => {
  const faults = e.faults.filter((f) => f.role === 'master' && f.nodeId && f.slots.length > 0 && !isEnding(f));
  if (faults.length === 0 && e.expect.promotion === 'none') return noOwnerChanged(e);
  if (faults.length === 0) return { valid: true, message: 'no fault hit a master: nothing to promote', details: { applicable: false } };
  if (!e.final) return { valid: 'unknown', message: 'no final topology was taken', details: {} };
  const results = faults.map((f) => judge(f, e));
  const failed = results.filter((r) => !r.ok);
  const details = { applicable: true, deadlineMs: e.expect.promotionDeadlineMs ?? promotionDeadlineMs(e.nodeTimeoutMs), faults: results, failoverMs: results.find((r) => r.failoverMs !== null)?.failoverMs ?? null };
  if (failed.length) return { valid: false, message: failed.map((r) => r.message).join('; '), details };
  return { valid: true, message: results.map((r) => r.message).join('; '), details };
});

type Judged = { target: string; outcome: string; failoverMs: number | null; ok: boolean; message: string; losers?: ReturnType<typeof loserOutcome>[] };

function judge(f: FaultRecord, e: RunEvidence): Judged {
  const slot = f.slots[0]![0];
  const deadline = e.expect.promotionDeadlineMs ?? promotionDeadlineMs(e.nodeTimeoutMs);
  // While a master is cut off it still claims its slots, so no sample has a single owner. A replica
  // claims them only once it has won its election: that sample is the failover. The epoch rises
  // when an election starts, won or not, so it is only the fallback for samples recorded without
  // claimants, and the final topology says who won.
  const epochBefore = [...e.samples].reverse().find((s) => s.tMs <= f.atMs)?.epoch;
  const after = f.kind === 'partition'
    ? e.samples.find((s) => s.tMs > f.atMs && (s.claimants
      ? (s.claimants[slot] ?? []).some((id) => f.replicaIds.includes(id))
      : s.epoch !== undefined && epochBefore !== undefined && s.epoch > epochBefore))
    : e.samples.find((s) => s.tMs > f.atMs && s.owners[slot] && s.owners[slot] !== f.nodeId && serving(s));
  // Timed from when the fault was in place, not from when the harness began to apply it.
  const from = faultEffectMs(f);
  const failoverMs = after ? Math.round(Math.max(0, after.tMs - from)) : null;
  const blocked = after ? blockedMs(f, e, after.tMs) : NOT_BLOCKED;
  const base = { target: f.target, failoverMs, appliedInMs: Math.round(from - f.atMs), ...blocked, deadlineMs: deadline };
  if (e.expect.promotion === 'none') {
    // A slowed master is no failed master: any sample in which another node owned its slot is a false failure detection.
    const moved = e.samples.find((s) => s.tMs > f.atMs && s.owners[slot] && s.owners[slot] !== f.nodeId);
    if (moved) return { ...base, outcome: 'promoted', ok: false, message: `slot ${slot} moved from ${f.target} to ${moved.owners[slot]!.slice(0, 8)} ${Math.round(moved.tMs - f.atMs)} ms after the fault: a failover that should not have happened (false failure detection)` };
    const owner = masterOfSlot(e.final!, slot);
    if (owner?.nodeId !== f.nodeId) return { ...base, outcome: 'other', ok: false, message: `${f.target} is no longer master of slot ${slot} at the end` };
    return { ...base, outcome: 'kept', failoverMs: null, ok: true, message: `${f.target} stayed master of slot ${slot} throughout: no failover, as expected` };
  }
  // A later fault on the same shard (a failover loop) decides the final owner: judge this round by
  // what the samples saw right after it, and leave the end state to the last round.
  const later = e.faults.find((g) => g.atMs > f.atMs && !isEnding(g) && g.role === 'master' && rangesContain(g.slots, slot) && g.nodeId);
  if (later && e.expect.promotion === 'either') {
    // Either outcome will do (an evicted master back on a new IP, or its replica promoted): each
    // round must see the slot served again, with every node ok, before the next fault on its shard.
    const served = e.samples.find((s) => s.tMs > f.atMs && s.tMs < later.atMs && s.owners[slot] && serving(s) && (s.owners[slot] === f.nodeId || f.replicaIds.includes(s.owners[slot]!)));
    if (!served) return { ...base, outcome: 'unserved', ok: false, message: `slot ${slot} was not served again, with every node ok, between the fault on ${f.target} and the next fault on its shard` };
    const outcome = served.owners[slot] === f.nodeId ? 'returned' : 'promoted';
    return { ...base, outcome, failoverMs: Math.round(served.tMs - from), ok: true, message: `slot ${slot} served again ${Math.round(served.tMs - from)} ms after the fault on ${f.target} (${outcome === 'returned' ? 'the same node back' : 'a replica promoted'})` };
  }
  if (later) {
    // Between two rounds the cluster may be whole for less than a sample: any sample before the
    // next fault that shows the new owner will do.
    const seen = after && after.tMs < later.atMs ? after : e.samples.find((s) => s.tMs > f.atMs && s.tMs < later.atMs && s.owners[slot] && s.owners[slot] !== f.nodeId);
    return judgeRound(f, e, slot, seen, deadline);
  }
  const owner = masterOfSlot(e.final!, slot);
  if (!owner) return { ...base, outcome: 'unserved', ok: false, message: `${f.target}'s slot ${slot} is served by no master at the end: no promotion happened` };
  if (owner.nodeId === f.nodeId) {
    if (e.expect.promotion === 'promoted') return { ...base, outcome: 'returned', ok: false, message: `${f.target} came back as master of slot ${slot}: its replica was never promoted` };
    return { ...base, outcome: 'returned', failoverMs: null, ok: true, message: `${f.target} (${f.nodeId!.slice(0, 8)}) is master of slot ${slot} again: no failover` };
  }
  if (!f.replicaIds.includes(owner.nodeId)) return { ...base, outcome: 'other', ok: false, message: `slot ${slot} ended up on ${owner.pod}, which was not a replica of ${f.target}` };
  if (failoverMs === null || failoverMs - blocked.blockedMs > deadline) {
    return { ...base, outcome: 'promoted', ok: false, message: `${owner.pod} was promoted, but not within ${deadline} ms of the fault on ${f.target}${waited(blocked)} (${failoverMs === null ? 'never seen with cluster_state:ok' : `${failoverMs} ms`})` };
  }
  const old = selfEntries(e.final!).find((s) => s.self.id === f.nodeId);
  if (!old || old.self.role !== 'replica' || old.self.masterId !== owner.nodeId || old.view.replication?.master_link_status !== 'up') {
    const now = old ? `${old.self.role}${old.self.masterId ? ` of ${old.self.masterId.slice(0, 8)}` : ''}, link ${old.view.replication?.master_link_status ?? 'n/a'}` : 'not reachable';
    return { ...base, outcome: 'promoted', ok: false, message: `${owner.pod} was promoted in ${failoverMs} ms, but the old master ${f.target} did not rejoin as its replica (${now})` };
  }
  // With two or more candidates either may win; each one that lost must follow the winner, or
  // have migrated to a master that was short of replicas (cluster-migration-barrier).
  const losers = f.replicaIds.filter((id) => id !== owner.nodeId).map((id) => loserOutcome(id, owner.nodeId, e.final!));
  const stray = losers.filter((l) => !l.ok);
  const losersText = losers.length ? `; ${losers.map((l) => l.text).join(', ')}` : '';
  if (stray.length) {
    return { ...base, outcome: 'promoted', ok: false, losers, message: `${owner.pod} was promoted in ${failoverMs} ms, but the other ${stray.length > 1 ? 'candidates' : 'candidate'} did not re-attach to it: ${stray.map((l) => l.text).join(', ')}` };
  }
  return { ...base, outcome: 'promoted', ok: true, losers, message: `${owner.pod} promoted in ${failoverMs} ms (deadline ${deadline}${waited(blocked)}); ${f.target} rejoined as its replica${losersText}` };
}

/**
 * A replica of the failed master that lost the election: at the end it must replicate the winner
 * with its link up, or another master (replica migration moved it to an orphan's shard).
 */
function loserOutcome(id: string, winner: string, final: NonNullable<RunEvidence['final']>): { pod: string; ok: boolean; migratedTo: string | null; text: string } {
  const entry = selfEntries(final).find((s) => s.self.id === id);
  const pod = entry?.view.pod ?? id.slice(0, 8);
  if (!entry) return { pod, ok: false, migratedTo: null, text: `${pod} not reachable at the end` };
  const link = entry.view.replication?.master_link_status;
  if (entry.self.role !== 'replica' || link !== 'up') return { pod, ok: false, migratedTo: null, text: `${pod} is ${entry.self.role}${entry.self.masterId ? ` of ${entry.self.masterId.slice(0, 8)}` : ''}, link ${link ?? 'n/a'}` };
  if (entry.self.masterId === winner) return { pod, ok: true, migratedTo: null, text: `${pod} (the other candidate) re-attached to it` };
  const to = podOfNode(final, entry.self.masterId ?? '') ?? entry.self.masterId?.slice(0, 8) ?? '?';
  return { pod, ok: true, migratedTo: to, text: `${pod} (the other candidate) migrated to ${to}'s shard (replica migration)` };
}

/**
 * The cluster serves: every master that holds slots says cluster_state:ok. Replicas are left out,
 * since a node back from a deletion may say fail for seconds after its successor serves; samples
 * recorded before `mastersOk` fall back to every node.
 */
const serving = (s: RunEvidence['samples'][number]) => s.mastersOk ?? s.allOk;

/** Time in which no failover could happen, by cause, and the union of the two (see blockedMs). */
type Blocked = { replicasDownMs: number; majorityLostMs: number; blockedMs: number };
const NOT_BLOCKED: Blocked = { replicasDownMs: 0, majorityLostMs: 0, blockedMs: 0 };

/** Faults that keep a replica from taking over while they last; a slowed link or a full disk does not. */
const DISABLING = new Set<FaultKind>(['kill', 'crash', 'pause', 'partition', 'delete-pod', 'full-restart', 'node-crash', 'evict']);

/**
 * How long, between the master's fault and `untilMs`, no failover could happen: every one of its
 * replicas was itself down (paused, killed, cut off, its node crashed), or fewer than a majority
 * of masters served, so no election could win (two of three masters deleted at once: the replica
 * can win only once one of them is back). A schedule that holds these down delays the failover by
 * design, so the deadline does not count it; the failover time reported still runs from the fault.
 */
export function blockedMs(f: FaultRecord, e: Pick<RunEvidence, 'faults' | 'samples' | 'shape'>, untilMs: number): Blocked {
  const from = faultEffectMs(f);
  if (untilMs <= from) return NOT_BLOCKED;
  const clip = (a: number, b: number) => [Math.max(from, a), Math.min(untilMs, b)] as const;
  const downs = f.replicaIds.map((id) => e.faults
    .filter((g) => g !== f && g.nodeId === id && !isEnding(g) && DISABLING.has(g.kind))
    .map((g) => clip(g.atMs, resyncedMs(id, faultEndMs(g, e.faults), e.samples)))
    .filter(([a, b]) => b > a));
  const lost = e.samples.length ? majorityLostWindows(e.samples, e.faults, e.shape.masters).map((w) => clip(w.fromMs, w.toMs)).filter(([a, b]) => b > a) : [];
  const edges = [...new Set([from, untilMs, ...downs.flat().flat(), ...lost.flat()])].sort((a, b) => a - b);
  const total = { replicasDownMs: 0, majorityLostMs: 0, blockedMs: 0 };
  for (let i = 0; i + 1 < edges.length; i++) {
    const [a, b] = [edges[i]!, edges[i + 1]!];
    const mid = (a + b) / 2;
    const replicasDown = downs.length > 0 && downs.every((intervals) => intervals.some(([x, y]) => x <= mid && mid < y));
    const majorityLost = lost.some(([x, y]) => x <= mid && mid < y);
    if (replicasDown) total.replicasDownMs += b - a;
    if (majorityLost) total.majorityLostMs += b - a;
    if (replicasDown || majorityLost) total.blockedMs += b - a;
  }
  return { replicasDownMs: Math.round(total.replicasDownMs), majorityLostMs: Math.round(total.majorityLostMs), blockedMs: Math.round(total.blockedMs) };
}

/**
 * When a replica back from its own fault could take over again. Until its first sync is done it
 * has no data to fail over with, and Redis does not let it try (a restarted replica's data age
 * counts from ever): a master lost in that time stays down until it returns. The stretch runs on
 * through the samples that saw it unlinked (and those that did not reach it) to the last that saw
 * it unlinked before one saw it linked; with no sample saying so, or in samples recorded before
 * `linked` existed, the fault's end is taken.
 */
function resyncedMs(id: string, backMs: number, samples: RunEvidence['samples']): number {
  if (!Number.isFinite(backMs)) return backMs;
  let until = backMs;
  for (const s of samples) {
    if (s.tMs < backMs || s.linked?.[id] === undefined) continue;
    if (s.linked[id]) break;
    until = s.tMs;
  }
  return until;
}

const waited = (b: Blocked) => {
  if (b.blockedMs <= 0) return '';
  if (b.majorityLostMs === 0) return `, not counting ${b.blockedMs} ms in which its replicas were down themselves or not yet through their first sync since`;
  if (b.replicasDownMs === 0) return `, not counting ${b.blockedMs} ms in which a majority of masters was gone (no election can win)`;
  return `, not counting ${b.blockedMs} ms in which its replicas were down (or not yet synced) or a majority of masters was gone`;
};

/** `none` with faults on replicas only: no watched slot may change owner at any moment. */
function noOwnerChanged(e: RunEvidence) {
  const first = e.samples.find((s) => Object.values(s.owners).some(Boolean));
  if (!first) return { valid: 'unknown' as const, message: 'no sample showed the slots\' owners', details: { applicable: true } };
  for (const s of e.samples) {
    for (const [slot, owner] of Object.entries(s.owners)) {
      const was = first.owners[Number(slot)];
      if (owner && was && owner !== was) {
        return { valid: false as const, message: `slot ${slot} moved from ${was.slice(0, 8)} to ${owner.slice(0, 8)} at ${Math.round(s.tMs)} ms: a failover that no fault called for`, details: { applicable: true, slot: Number(slot), atMs: Math.round(s.tMs) } };
      }
    }
  }
  return { valid: true as const, message: `no failover: every watched slot kept its master in all ${e.samples.length} samples`, details: { applicable: true } };
}

/** One round of a loop: a former replica took the slot, within the deadline, with a new epoch. */
function judgeRound(f: FaultRecord, e: RunEvidence, slot: number, after: RunEvidence['samples'][number] | undefined, deadline: number) {
  const failoverMs = after ? Math.round(Math.max(0, after.tMs - faultEffectMs(f))) : null;
  const blocked = after ? blockedMs(f, e, after.tMs) : NOT_BLOCKED;
  const base = { target: f.target, failoverMs, ...blocked };
  if (!after) return { ...base, outcome: 'unserved', ok: false, message: `no replica of ${f.target} took slot ${slot} before the next fault on its shard` };
  const epochBefore = [...e.samples].reverse().find((s) => s.tMs <= f.atMs)?.epoch;
  if (after.epoch !== undefined && epochBefore !== undefined && after.epoch <= epochBefore) {
    return { ...base, outcome: 'promoted', ok: false, message: `slot ${slot} changed owner after the fault on ${f.target} without a new epoch (${epochBefore} → ${after.epoch})` };
  }
  if (!f.replicaIds.includes(after.owners[slot]!)) return { ...base, outcome: 'other', ok: false, message: `slot ${slot} went to a node that was not a replica of ${f.target}` };
  if (failoverMs! - blocked.blockedMs > deadline) return { ...base, outcome: 'promoted', ok: false, message: `a replica of ${f.target} was promoted, but not within ${deadline} ms${waited(blocked)} (${failoverMs} ms)` };
  return { ...base, outcome: 'promoted', ok: true, message: `a replica of ${f.target} promoted in ${failoverMs} ms (epoch ${epochBefore ?? '?'} → ${after.epoch ?? '?'})` };
}
