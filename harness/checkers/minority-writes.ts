import { masterOfSlot } from '../cluster/index.ts';
import { rangesContain, type SlotRange } from '../cluster/slots.ts';
import type { Op } from '../workload/history.ts';
import { faultEffectMs, faultEndMs, perKey, checker, type FaultKind, type FaultRecord, type KeyEvidence, type RunEvidence } from './types.ts';

/**
 * After a master is cut off in a minority, Redis Cluster documents a window in which it still
 * acknowledges writes that are then lost: until it notices that it cannot reach the majority and
 * stops accepting writes. It notices when it has flagged the other masters PFAIL, node-timeout
 * after a ping to each went unanswered; and it pings a peer no later than half a node-timeout after
 * that peer's last pong (clusterCron's ping_interval), so the window can reach 1.5 × node-timeout
 * (measured: 3.1-3.3 s at 2000; 18.6 and 20.4 s after the cut in two runs at 15000, which
 * node-timeout + 2 s failed). It is counted from when the cut was complete (the fault's endMs). The
 * margin covers what follows: the failure report (a cron tick and a ping) and the app's last
 * in-flight request.
 */
export const MINORITY_MARGIN_MS = 2000;
export const minorityWindowMs = (nodeTimeoutMs: number) => 1.5 * nodeTimeoutMs + MINORITY_MARGIN_MS;

/**
 * A master out of the majority's reach, in whose window Redis Cluster documents that acknowledged
 * writes can be lost:
 * - `partition`: cut off in a minority, it keeps accepting writes until it finds the majority
 *   unreachable (minorityWindowMs above);
 * - `pause`: stopped (SIGSTOP) past its own failover, it acknowledges nothing while stopped, but on
 *   waking it executes the writes queued on its sockets before it reads the cluster bus message
 *   that demotes it (seen on Redis 7.0.15: a write queued during the pause is answered on SIGCONT,
 *   1.5 s after the promotion too, and the new master never has it). The cluster specification's
 *   "Write safety" names this mode: a master failed over and reachable again takes writes from
 *   clients with an out-of-date routing table until it is reconfigured. The window ends a margin
 *   after the wake.
 */
export interface LossWindow {
  kind: 'partition' | 'pause' | 'crash' | 'stalled-replica';
  /** The master that acknowledged the writes the window may have lost. */
  target: string;
  /** `stalled-replica`: the replica that stalled, and later took the master's slots. */
  replica?: string;
  slots: SlotRange[];
  cutMs: number;
  /** The earliest acknowledgement the window may have lost: a second before the cut or pause, AOF_POSTPONE_MS before a crash. */
  fromMs: number;
  windowEndMs: number;
}

/**
 * - `crash`: a master SIGKILLed with `appendonly yes` and `appendfsync everysec` (Redis's default)
 *   and brought back from its AOF. While a background fsync of the AOF is running, Redis postpones
 *   writing its AOF buffer (flushAppendOnlyFile, aof.c) for up to two seconds, and the replies to
 *   the writes in it go out meanwhile: a SIGKILL then loses writes it acknowledged. redis.io's
 *   persistence page bounds everysec's loss at about a second of writes. Seen in bench:flakes
 *   (crash-master on a busy machine lost one INCR acknowledged 27 ms after the SIGKILL was sent) and
 *   reproduced with fdatasync slowed by 0.8 s: 44 to 623 acknowledged INCRs lost to a SIGKILL under
 *   everysec, none under `always`. So the window holds the writes acknowledged from
 *   AOF_POSTPONE_MS before the crash until it took effect; with `always`, or when the settings
 *   could not be read, there is none, and any loss fails.
 */
export const AOF_POSTPONE_MS = 2000 + 500; // the postponement counts whole seconds of a clock the cron refreshes (hz 10)

export function lossWindows(e: RunEvidence): LossWindow[] {
  return [...e.faults.filter((f) => f.role === 'master' && f.slots.length > 0 && (f.kind === 'partition' || f.kind === 'pause' || crashMayLose(f)))
    .map((f): LossWindow => ({
      kind: f.kind === 'pause' ? 'pause' : f.kind === 'crash' ? 'crash' : 'partition',
      target: f.target, slots: f.slots, cutMs: f.atMs,
      fromMs: f.kind === 'crash' ? f.atMs - AOF_POSTPONE_MS : f.atMs - 1000,
      windowEndMs: windowEndMs(e, f),
    })), ...stalledReplicaWindows(e)];
}

/**
 * - `stalled-replica`: a master fails (killed, crashed, deleted, paused or cut off, its node
 *   crashed) while its replica is stalled by a fault of its own (paused, held down, cut off, its
 *   node crashed), and that replica, back, takes the master's slots. Replication is asynchronous:
 *   the master acknowledged every write since the stall without the replica having it, and the
 *   replica promoted never does (the Redis Cluster tutorial's first way to lose writes: "one of the
 *   replicas (that did not receive the write) can be promoted to master, losing the write forever").
 *   `npm run explore` (seed 3, the repo's manifests) drew the schedule, and its replay lost writes:
 *   a replica paused for 42 s, its master killed 12.5 s into the pause; the replica, resumed and
 *   promoted, had what the kernel had buffered for it (6.9 s of the stream), and 4234 INCRs
 *   acknowledged in the last 5.4 s before the kill were gone.
 *   The window holds the writes acknowledged from a second before the stall until the master's
 *   failure took effect; `min-replicas-to-write` in the manifests would shorten it.
 */
const STALLS: readonly FaultKind[] = ['pause', 'kill', 'partition', 'node-crash'];
const MASTER_FAILURES: readonly FaultKind[] = ['kill', 'crash', 'delete-pod', 'pause', 'partition', 'node-crash', 'evict'];

function stalledReplicaWindows(e: RunEvidence): LossWindow[] {
  return e.faults.filter((f) => f.role === 'master' && f.slots.length > 0 && MASTER_FAILURES.includes(f.kind)).flatMap((f) => {
    const failedMs = faultEffectMs(f);
    const slot = f.slots[0]![0];
    // A replica's stall still in place when its master failed, on a replica that then took the slots.
    const stall = e.faults.find((g) => g.role === 'replica' && g.nodeId && STALLS.includes(g.kind) && g.atMs < failedMs
      && faultEndMs(g, e.faults, Infinity) > failedMs && tookOver(e, g.nodeId, slot, f.atMs));
    if (!stall) return [];
    return [{ kind: 'stalled-replica' as const, target: f.target, replica: stall.target, slots: f.slots, cutMs: stall.atMs, fromMs: stall.atMs - 1000, windowEndMs: failedMs }];
  });
}

/** Whether `nodeId` owned `slot` at some moment after `afterMs`: in a sample, or at the end. */
const tookOver = (e: RunEvidence, nodeId: string, slot: number, afterMs: number) =>
  e.samples.some((s) => s.tMs > afterMs && s.owners[slot] === nodeId) || (e.final ? masterOfSlot(e.final, slot)?.nodeId === nodeId : false);

/** A crash whose target kept its AOF with `appendfsync everysec`: the writes of its last seconds may be lost. */
const crashMayLose = (f: FaultRecord) => f.kind === 'crash' && f.persistence?.appendonly === true && f.persistence.appendfsync === 'everysec';

function windowEndMs(e: RunEvidence, f: FaultRecord): number {
  // Counted from when the cut was in place: on Kubernetes the agents apply the rules over a second
  // or so after the fault begins (atMs), which is the harness's latency, not Redis's.
  if (f.kind === 'partition') return (f.endMs ?? f.atMs) + minorityWindowMs(e.nodeTimeoutMs);
  // A write sent once the SIGKILL had taken effect went to the next incarnation, not the one killed.
  if (f.kind === 'crash') return f.endMs ?? f.atMs;
  const wake = e.faults.find((r) => r.kind === 'resume' && r.target === f.target && r.atMs >= f.atMs);
  return (wake ? wake.endMs ?? wake.atMs : f.endMs ?? f.atMs) + MINORITY_MARGIN_MS;
}

export interface MinorityLoss {
  kind: LossWindow['kind'];
  target: string;
  replica?: string;
  key: KeyEvidence;
  cutMs: number;
  windowEndMs: number;
  /** Operations that saw the minority's lost writes: INCRs whose values the majority handed out again, and reads of them. */
  lost: Op[];
  /** Lost INCRs acknowledged after the window: a loss Redis does not document. */
  outside: Op[];
  /**
   * A crash whose restart kept none of the key's acknowledged INCRs, all of them inside the window:
   * an AOF that lost its last seconds, as documented, looks the same as one that lost everything
   * (kept off the volume, say). CI79 saw it: a warm-up shorter than the window, on manifests whose
   * AOF was not on the volume, and every loss excused. The key cannot be judged.
   */
  blind: boolean;
}

const opId = (o: Op) => `${o.process}:${o.invokeNs}`;

/**
 * The losses of each partition that cut a master off, found by the counter's own lineage: the
 * majority's new master continues from what the replica had, so the lineages split at the first
 * INCR after the cut that returned a value no greater than one already acknowledged before that
 * INCR was even invoked (in one lineage, an INCR that starts after another has completed must
 * return more). Every acknowledged value above that point, from the old master, is lost.
 *
 * Completion order alone is not enough: two clients' INCRs that overlap in time may complete out
 * of value order (152 acknowledged 0.5 ms before 151), which is no split at all.
 */
export function minorityLosses(e: RunEvidence): MinorityLoss[] {
  const keys = perKey(e);
  // Each key in the cut master's slots is its own counter with its own lineage.
  return lossWindows(e).flatMap((f) => keys.filter(({ k }) => rangesContain(f.slots, k.slot)).map((entry): MinorityLoss => {
    const cutNs = f.cutMs * 1e6;
    const { kind, target, cutMs, fromMs, windowEndMs } = f;
    const at = { kind, target, ...(f.replica ? { replica: f.replica } : {}), key: entry.k, cutMs, windowEndMs };
    const ok = entry.ops.filter((o) => o.type === 'ok' && o.value !== null).sort((a, b) => a.completeNs - b.completeNs);
    const highestBefore = prefixMax(ok);
    const split = ok.find((o) => o.completeNs > cutNs && o.f === 'incr' && o.value! <= highestBefore(o.invokeNs)) ?? null;
    if (!split) return { ...at, lost: [], outside: [], blind: false };
    // The promoted replica's lineage starts at what it had + 1, but its first replies, in flight
    // together, may complete out of value order (seen on the Kubernetes node: 21 read 0.1 ms before
    // 20): what it had is one less than the least of those, not of the first to complete.
    const together = ok.filter((o) => o.f === 'incr' && o.completeNs >= split.completeNs && o.invokeNs <= split.completeNs && o.value! <= highestBefore(o.invokeNs));
    const replicaHad = Math.min(...together.map((o) => o.value!)) - 1;
    const lost = ok.filter((o) => o.completeNs < split.completeNs && o.value! > replicaHad && o.completeNs > fromMs * 1e6);
    // Redis accepted a write at some moment between its invoke and its reply: only a write invoked
    // after the window must have been accepted after it. A reply read late (the harness's event
    // loop starved on a busy machine) does not move the moment Redis took the write.
    const outside = lost.filter((o) => o.f === 'incr' && o.invokeNs > windowEndMs * 1e6);
    const before = ok.filter((o) => o.f === 'incr' && o.completeNs < split.completeNs);
    const blind = kind === 'crash' && before.length > 0 && before.every((o) => o.value! > replicaHad && o.completeNs > fromMs * 1e6);
    return { ...at, lost, outside, blind };
  }));
}

/** For ops sorted by completion: the highest value acknowledged strictly before a given time. */
function prefixMax(byCompletion: Op[]): (ns: number) => number {
  const maxUpTo: number[] = [];
  for (const [i, o] of byCompletion.entries()) maxUpTo.push(Math.max(maxUpTo[i - 1] ?? -Infinity, o.value!));
  return (ns) => {
    let lo = 0;
    let hi = byCompletion.length; // the first op completing at or after ns
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byCompletion[mid]!.completeNs < ns) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? -Infinity : maxUpTo[lo - 1]!;
  };
}

/** Ids of the lost operations inside a documented window: the counter checker judges them as indeterminate. */
export function excusedOps(e: RunEvidence, losses = minorityLosses(e)): Set<string> {
  const excused = new Set<string>();
  for (const loss of losses) for (const o of loss.lost) if (!loss.outside.includes(o)) excused.add(opId(o));
  return excused;
}

/** Why a key's loss inside a crash window cannot be judged (MinorityLoss.blind), in words. */
export const blindCrashWords = (target: string, cutMs: number) =>
  `every acknowledged write came within the ${AOF_POSTPONE_MS} ms before ${target}'s SIGKILL at ${(cutMs / 1000).toFixed(3)}s and none survived its restart: `
  + "the AOF's documented loss of its last seconds cannot be told from a loss of everything (a longer warm-up puts writes before the window)";

export const isExcused = (excused: Set<string>, o: Op) => excused.has(opId(o));

function byCut(losses: MinorityLoss[]): MinorityLoss[][] {
  const cuts = new Map<string, MinorityLoss[]>();
  for (const l of losses) cuts.set(`${l.target} ${l.cutMs}`, [...(cuts.get(`${l.target} ${l.cutMs}`) ?? []), l]);
  return [...cuts.values()];
}

export const minorityWritesChecker = checker((e) => {
  // Its lineage is the counter's; without INCRs it would say "no acknowledged write lost" of any cut.
  if (e.workload === 'append') return { valid: true, message: "not applicable: no counter workload (the append check reports the lists' minority windows)", details: { applicable: false } };
  const losses = minorityLosses(e);
  if (losses.length === 0) return { valid: true, message: 'no master was cut off in a minority, paused, crashed with appendfsync everysec, or failed with its replica stalled', details: { applicable: false } };
  // One entry per cut or pause, its keys' losses together: the window is the master's, not a key's.
  const entries = byCut(losses).map((ls) => {
    const l = ls[0]!;
    const incrs = ls.flatMap((x) => x.lost.filter((o) => o.f === 'incr'));
    const last = incrs.reduce<Op | null>((m, o) => (!m || o.completeNs > m.completeNs ? o : m), null);
    return {
      kind: l.kind, target: l.target, ...(l.replica ? { replica: l.replica } : {}), key: l.key.key, keys: ls.map((x) => x.key.key), cutMs: l.cutMs, windowEndMs: l.windowEndMs,
      lostAcknowledged: incrs.length, staleReads: ls.reduce((n, x) => n + x.lost.length, 0) - incrs.length, outsideWindow: ls.reduce((n, x) => n + x.outside.length, 0),
      blindKeys: ls.filter((x) => x.blind).map((x) => x.key.key),
      lastMinorityAckMs: last ? Math.round(last.completeNs / 1e6) : null,
      lastMinorityAckAfterCutMs: last ? Math.round(last.completeNs / 1e6 - l.cutMs) : null,
    };
  });
  const details = {
    applicable: true,
    marginMs: MINORITY_MARGIN_MS,
    partitions: entries.filter((p) => p.kind === 'partition'),
    pauses: entries.filter((p) => p.kind === 'pause'),
    crashes: entries.filter((p) => p.kind === 'crash'),
    stalledReplicas: entries.filter((p) => p.kind === 'stalled-replica'),
  };
  // Each kind of window in its own words.
  const words = ({ kind, replica }: Pick<LossWindow, 'kind' | 'replica'>) => (kind === 'stalled-replica'
    ? {
      what: `failed with its replica ${replica} stalled`, at: (ms: number) => `${ms} ms after ${replica} stalled`, allowed: 'the stall to the master\'s failure',
      documented: "Redis Cluster's documented loss of asynchronous replication (the master acknowledged writes its replica never received, and the replica, promoted, never has them)",
    }
    : kind === 'crash'
    ? {
      what: 'crashed', at: (ms: number) => (ms < 0 ? `${-ms} ms before the SIGKILL was sent` : `${ms} ms after the SIGKILL was sent`),
      allowed: `${AOF_POSTPONE_MS} ms before the SIGKILL to its taking effect`,
      documented: "Redis's documented AOF loss under appendfsync everysec (while a background fsync runs, Redis postpones writing its AOF buffer for up to 2 s and replies meanwhile: a SIGKILL loses what the buffer held)",
    }
    : kind === 'pause'
    ? {
      what: 'paused', at: (ms: number) => `${ms} ms after the pause began`, allowed: `its wake + ${MINORITY_MARGIN_MS} ms`,
      documented: "the writes queued on a paused master that it answers on waking, before it learns its replica replaced it (Redis Cluster's documented loss: a master failed over and reachable again takes writes until it is reconfigured)",
    }
    : {
      what: 'cut off', at: (ms: number) => `${ms} ms after the cut`, allowed: `1.5 × node-timeout ${e.nodeTimeoutMs} + ${MINORITY_MARGIN_MS} ms`,
      documented: "Redis Cluster's documented minority window (a master cut off keeps accepting writes until it finds the majority unreachable, and its replica, promoted, never had them)",
    });
  const bad = entries.filter((p) => p.outsideWindow > 0);
  if (bad.length) {
    return { valid: false, details, message: bad.map((p) => {
      const w = words(p);
      return `${p.target} ${w.what}: ${p.outsideWindow} acknowledged writes lost after the window (the last ${w.at(p.lastMinorityAckAfterCutMs ?? 0)}; ${w.allowed} allowed): a loss Redis Cluster does not document`;
    }).join('; ') };
  }
  const blind = entries.filter((p) => p.blindKeys.length > 0);
  if (blind.length) {
    const on = (keys: string[], of: number) => (keys[0] ? `on ${keys.length} of its ${of} keys (${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''})` : 'on its counter');
    return { valid: 'unknown', details, message: blind.map((p) => `${p.target} crashed, ${on(p.blindKeys, p.keys.length)}: ${blindCrashWords(p.target, p.cutMs)}`).join('; ') };
  }
  return {
    valid: true, details,
    message: entries.map((p) => {
      const w = words(p);
      return p.lostAcknowledged === 0
        ? `${p.target} ${w.what}: no acknowledged write lost`
        : `${p.target} ${w.what}: ${p.lostAcknowledged} acknowledged writes lost, the last acknowledged ${w.at(p.lastMinorityAckAfterCutMs ?? 0)}, within ${w.allowed}: ${w.documented}`;
    }).join('; '),
  };
});
