import type { Topology } from '../cluster/index.ts';
import type { SlotRange } from '../cluster/slots.ts';
import type { ClusterShape } from '../manifests/index.ts';
import type { Op, OpTable, Workload } from '../workload/history.ts';
import type { SampleSummary } from '../workload/sampler.ts';

export type Validity = true | false | 'unknown';

export interface CheckResult {
  name: string;
  valid: Validity;
  message: string;
  details: Record<string, unknown>;
}

export type FaultKind = 'delete-pod' | 'kill' | 'crash' | 'restart' | 'pause' | 'resume' | 'full-restart' | 'partition' | 'delay' | 'loss' | 'heal' | 'fill-disk' | 'free-disk'
  | 'node-crash' | 'node-restore' | 'evict' | 'evict-refused';

/** A fault as injected, with what the target was at that moment (from the pre-fault topology). */
export interface FaultRecord {
  kind: FaultKind;
  target: string;
  role: 'master' | 'replica' | 'unknown';
  /** On the scenario clock. */
  atMs: number;
  /** When the action returned (a deleted pod re-created, a held pod killed); absent if unknown. */
  endMs?: number;
  nodeId: string | null;
  slots: SlotRange[];
  /** Node ids of the target's replicas, if it was a master (faults/record.ts). */
  replicaIds: string[];
  /** The target's master, if it was a replica; absent in records made before it was kept. */
  masterId?: string | null;
  /** Why the fault could not be done (an eviction refused until the drain's deadline). */
  reason?: string;
  /**
   * A crash's target's AOF settings just before it (CONFIG GET), when it answered: with
   * `appendfsync everysec` a SIGKILL may lose the writes of its last seconds (minority-writes.ts).
   */
  persistence?: { appendonly: boolean; appendfsync: string };
}

export interface Expectations {
  /**
   * `promoted`: a replica must take over (kill-master); `either`: promotion or the same node back;
   * `none`: the faulted master must stay master throughout (a slow link is no failure).
   */
  promotion?: 'promoted' | 'either' | 'none';
  promotionDeadlineMs?: number;
  /**
   * Makes `availability` a pass/fail check; unset, it only reports. `failover`: no shard may be
   * without ok writes for longer than a failover's deadline (`promotionDeadlineMs`).
   */
  maxUnavailableMs?: number | 'failover';
  /**
   * `required`: a shard whose master and replicas share one node (or one zone) fails the run (the
   * node scenarios); unset, `failure-domains` only warns.
   */
  failureDomains?: 'required';
  /**
   * `serve`: every shard whose master no fault touched keeps taking writes throughout, with no gap
   * longer than the node timeout (`cluster-require-full-coverage no`; `other-shards-available`).
   */
  otherShards?: 'serve';
}

/** One counter key of a run: where it lived at the start, and its value before and after. */
export interface KeyEvidence {
  key: string;
  slot: number;
  masterAtStart: string | null;
  baseline: number;
  /** The value read after healing; null if the final read failed. */
  finalRead: number | null;
}

/** One list of the append workload: where it lived at the start, and the whole list at the verdict. */
export interface ListEvidence {
  key: string;
  slot: number;
  masterAtStart: string | null;
  /** The list read after healing, in list order; null if the final read failed. */
  finalRead: number[] | null;
}

/** Everything recorded about one scenario run: what the checkers judge. */
export interface RunEvidence {
  /** The operations in order: the recorder's table, or (runCheckers) its operations made once for every checker. */
  history: OpTable | readonly Op[];
  /** The counter's value before the workload started (scenarios share one cluster). */
  baseline: number;
  /** The value read after healing; null if the final read failed. */
  finalRead: number | null;
  samples: SampleSummary[];
  before: Topology;
  final: Topology | null;
  faults: FaultRecord[];
  /** When recovery was reached, on the scenario clock; null if it never was. */
  recoveredAtMs: number | null;
  shape: ClusterShape;
  nodeTimeoutMs: number;
  counterSlot: number;
  expect: Expectations;
  /**
   * Every counter key, the app's default first (its operations carry no key). Absent: the default
   * key alone, with `baseline` and `finalRead`. Each key is judged as its own counter.
   */
  keys?: KeyEvidence[];
  /** The load the run drove; absent: the counter alone (every run before the append workload). */
  workload?: Workload;
  /** The append workload's lists, one beside each counter key, in its slot. */
  lists?: ListEvidence[];
  /** What the harness stopped observing before the verdict (a load or sampler bound reached), if anything. */
  observation?: { stoppedEarly: string[] };
  /** The memory limit and every OOM kill seen, when the manifests set `limits.memory` (oom-kills.ts). */
  memory?: MemoryEvidence;
  /** The StatefulSet's volumeClaimTemplates, for the line that names a claim that filled up. */
  claims?: { name: string; storage: string | undefined }[];
}

/** The keys of a run and each one's operations (Jepsen's independent keys). */
export function perKey(e: Pick<RunEvidence, 'history' | 'keys' | 'baseline' | 'finalRead' | 'counterSlot'>): { k: KeyEvidence; ops: Op[] }[] {
  const keys = e.keys?.length ? e.keys : [{ key: '', slot: e.counterSlot, masterAtStart: null, baseline: e.baseline, finalRead: e.finalRead }];
  const groups = new Map<string, Op[]>(keys.map((k, i) => [i === 0 ? '' : k.key, []]));
  for (const op of e.history) groups.get(op.key ?? '')?.push(op);
  return keys.map((k, i) => ({ k, ops: groups.get(i === 0 ? '' : k.key)! }));
}

/**
 * The run's shards, each with every operation on its keys and on the lists beside them: a shard's
 * writes, whatever the workload, for the checks that ask whether a shard served. A shard is the
 * keys one master held at the start; `k` is its first key (named in messages), `keys` all of them.
 * A key whose slot had no master at the start is a shard of its own.
 */
export function perShard(e: Pick<RunEvidence, 'history' | 'keys' | 'baseline' | 'finalRead' | 'counterSlot' | 'lists'>): { k: KeyEvidence; keys: KeyEvidence[]; ops: Op[] }[] {
  const shardOf = (x: { key: string; masterAtStart: string | null }) => x.masterAtStart ?? `unowned ${x.key}`;
  const shards = new Map<string, { k: KeyEvidence; keys: KeyEvidence[]; ops: Op[] }>();
  const keys = perKey(e);
  for (const { k, ops } of keys) {
    const shard = shards.get(shardOf(k));
    if (shard) {
      shard.keys.push(k);
      shard.ops.push(...ops);
    } else shards.set(shardOf(k), { k, keys: [k], ops: [...ops] });
  }
  if (e.lists?.length) {
    // A list lies in its counter key's slot, so it belongs to that key's shard.
    const listShard = new Map(e.lists.map((l) => [l.key, shards.get(shardOf(keys.find(({ k }) => k.slot === l.slot)?.k ?? l))]));
    for (const op of e.history) if (op.key) listShard.get(op.key)?.ops.push(op);
  }
  return [...shards.values()];
}

/** An acknowledged or attempted write, of either workload: what keeps a shard counted as serving. */
export const isWrite = (o: Op) => o.f === 'incr' || o.f === 'append';

/** What the messages call a shard's writes. */
export const writesNamed = (e: Pick<RunEvidence, 'workload'>) => (e.workload === 'append' ? 'appends' : e.workload === 'both' ? 'writes' : 'INCRs');

export type Checker = (evidence: RunEvidence) => Omit<CheckResult, 'name'>;

type KeysOfUnion<U> = U extends unknown ? keyof U : never;
type ValueIn<U, K extends PropertyKey> = U extends unknown ? (K extends keyof U ? U[K] : never) : never;

/**
 * A check's details as they are read: every field its checker writes in any of its verdicts, each
 * optional, since one verdict writes fewer (`{ applicable: false }`) and a recorded checks.json may
 * be older than the checker. Nested values are as the checker writes them today.
 */
export type Recorded<D> = { [K in KeysOfUnion<D>]?: ValueIn<D, K> };

/** A checker whose details are typed from what it writes (see `checker`). */
export type TypedChecker<D> = (evidence: RunEvidence) => { valid: Validity; message: string; details: Recorded<D> };

/**
 * Declares a checker, its details' type taken from the verdicts it returns, so that a reader of
 * one (the report, the metrics, another checker) is checked against what the checker writes:
 * reading a field it never writes is a type error, not an `undefined` found in a report.
 */
export const checker = <R extends { valid: Validity; message: string; details: object }>(judge: (evidence: RunEvidence) => R): TypedChecker<R['details']> => judge as TypedChecker<R['details']>;

/** false > unknown > true: one false fails the run; an unknown keeps it from passing. */
export function combine(results: { valid: Validity }[]): Validity {
  if (results.some((r) => r.valid === false)) return false;
  if (results.some((r) => r.valid === 'unknown')) return 'unknown';
  return true;
}

/**
 * Runs each checker; one that throws is `unknown` with the error, never a pass. The history's
 * operations are made into objects once, here, not by each checker's passes over the table: at
 * 19 000 operations, rebuilding them about 14 times cost the verdict 40-60 ms, most of it in the
 * garbage collector.
 */
export function runCheckers(checkers: Record<string, Checker>, evidence: RunEvidence): CheckResult[] {
  const shared: RunEvidence = Array.isArray(evidence.history) ? evidence : { ...evidence, history: [...evidence.history] };
  return Object.entries(checkers).map(([name, check]) => {
    try {
      return { name, ...check(shared) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { name, valid: 'unknown' as const, message: `checker threw: ${message}`, details: { error: message } };
    }
  });
}

export const seconds = (ns: number) => `${(ns / 1e9).toFixed(3)}s`;

/** The fault that ends a held one: a kill lasts until its restart, a pause until its resume. */
const ENDS: Partial<Record<FaultKind, FaultKind>> = { kill: 'restart', pause: 'resume', partition: 'heal', delay: 'heal', loss: 'heal', 'fill-disk': 'free-disk', 'node-crash': 'node-restore' };
const ENDINGS = new Set<FaultKind>(Object.values(ENDS));
/** A fault that ends a held one (ENDS), whose target may still answer nothing when it is injected. */
export const isEnding = (f: Pick<FaultRecord, 'kind'>) => ENDINGS.has(f.kind);

/**
 * When a fault took effect. A signal, a cut or a node's crash is in place when its action returns
 * (`endMs`): on a busy Kubernetes node the agent's exec took 6.6 s once, and that is the harness's
 * latency, not the time Redis took to fail over. A deletion or an eviction begins at once, and its
 * action returns only when the pod is back, so it counts from `atMs`.
 */
export function faultEffectMs(f: FaultRecord): number {
  const startsAtOnce = f.kind === 'delete-pod' || f.kind === 'full-restart' || f.kind === 'evict';
  return startsAtOnce ? f.atMs : (f.endMs ?? f.atMs);
}

/** When a fault's effect ends: its ending fault if it has one, else when the action returned. */
export function faultEndMs(f: FaultRecord, faults: readonly FaultRecord[], fallback?: number): number {
  const ending = ENDS[f.kind];
  const end = ending ? faults.find((r) => r.kind === ending && r.target === f.target && r.atMs >= f.atMs)?.atMs : undefined;
  return end ?? fallback ?? f.endMs ?? f.atMs;
}

/** One OOM kill seen in a pod's status during the run. */
export interface OomKill {
  pod: string;
  /** When the watch saw it, on the scenario clock (it polls: up to one interval late). */
  atMs: number;
  /** The container's main process (redis-server): the container restarted; otherwise a process it forked. */
  mainProcess: boolean;
}

/** What a run with a memory limit records; absent where the manifests set none. */
export interface MemoryEvidence {
  limitBytes: number;
  oomKills: OomKill[];
}
