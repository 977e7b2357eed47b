import { selfEntries, type Topology } from '../cluster/index.ts';
import { faultEndMs, isEnding, type FaultKind, type FaultRecord } from '../checkers/index.ts';

/** Faults after which the target answers nothing until a later one ends them (resume, restart, node-restore). */
const SILENCING = new Set<FaultKind>(['pause', 'kill', 'node-crash']);

/**
 * A fault's record: what its target was just before it, from `before` (each node's own answer),
 * the checkers' ground truth. A pod that answers nothing because an earlier fault silenced it
 * (paused, held down, its node crashed) is what it was when that fault began: its role for the
 * fault that ends it, and its place among a master's replicas for a fault on that master.
 */
export function faultRecord(kind: FaultKind, pod: string, before: Topology, earlier: readonly FaultRecord[], atMs: number): FaultRecord {
  const self = selfEntries(before).find((e) => e.view.pod === pod)?.self;
  const last = [...earlier].reverse().find((r) => r.target === pod);
  return {
    kind, target: pod,
    role: self ? self.role : isEnding({ kind }) ? (last?.role ?? 'unknown') : 'unknown',
    atMs,
    nodeId: self?.id ?? null,
    slots: self?.role === 'master' ? self.slots : [],
    replicaIds: self ? replicasOf(self.id, before, earlier) : [],
    ...(self?.role === 'replica' ? { masterId: self.masterId } : {}),
  };
}

/**
 * A master's replicas: those that say so themselves, and those silenced by an earlier fault that
 * said so when it began. Left out, a paused replica promoted once it was resumed (its master
 * killed meanwhile) was judged a stranger taking the slot: "slot 5461 ended up on redis-cluster-5,
 * which was not a replica of redis-cluster-1" (npm run explore, seed 3, on the repo's manifests).
 */
function replicasOf(masterId: string, before: Topology, earlier: readonly FaultRecord[]): string[] {
  const answered = selfEntries(before);
  const ids = answered.filter((e) => e.self.masterId === masterId).map((e) => e.self.id);
  const spoke = new Set(answered.map((e) => e.view.pod));
  for (const r of silenced(earlier)) {
    if (!spoke.has(r.target) && r.role === 'replica' && r.masterId === masterId && r.nodeId && !ids.includes(r.nodeId)) ids.push(r.nodeId);
  }
  return ids;
}

/** The records of silencing faults that no ending fault has followed (faultEndMs, the checkers' own pairing). */
function silenced(records: readonly FaultRecord[]): FaultRecord[] {
  return records.filter((r) => SILENCING.has(r.kind) && faultEndMs(r, records, Infinity) === Infinity);
}
