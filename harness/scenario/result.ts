import { selfEntries, type Topology } from '../cluster/index.ts';
import { combine, detailsOf, type CheckDetails, type CheckResult, type FaultRecord, type Recorded, type Validity } from '../checkers/index.ts';
import type { PromiseVerdict } from './spec.ts';
import type { Workload } from '../workload/history.ts';

/** `interrupted`: Ctrl-C or SIGTERM stopped it; its checks ran on what was recorded and decide nothing. */
export type ScenarioStatus = 'passed' | 'failed' | 'error' | 'interrupted';

export interface ScenarioMetrics {
  attempted: number;
  acknowledged: number;
  failed: number;
  indeterminate: number;
  finalCount: number | null;
  lostAcknowledged: number | null;
  phantom: number | null;
  maxUnavailableMs: number | null;
  failoverMs: number | null;
  recoveryMs: number | null;
  p99LatencyMs: number | null;
  /**
   * The list workload's figures when it ran beside the counter (`both`, the default): the counter's
   * stay in the fields above. Absent for the counter alone, and for `append` alone, whose figures
   * are the fields above.
   */
  appends?: AppendMetrics;
}

export interface AppendMetrics {
  attempted: number;
  acknowledged: number;
  failed: number;
  indeterminate: number;
  /** Acknowledged appends missing from the final reads, outside any documented window; null if a final read failed. */
  lostAcknowledged: number | null;
  rolledBack: number;
  /** Lost or rolled back inside a documented minority window (excused). */
  inMinorityWindow: number;
}

/** One shard's share of a scenario: its first key, where its keys lived at the start, and what they lived through. */
export interface ShardResult {
  key: string;
  slot: number;
  masterAtStart: string | null;
  /** How many of the run's keys lay in this shard's slots at the start (absent in runs before --keys). */
  keys?: number;
  acknowledged: number;
  failed: number;
  indeterminate: number;
  lostAcknowledged: number | null;
  maxUnavailableMs: number | null;
}

/** One scenario's entry in summary.json. */
export interface ScenarioResult {
  name: string;
  status: ScenarioStatus;
  startedAt: string;
  durationMs: number;
  seed: number;
  /** The load it drove: --workload, or the default for the run's rate (absent in older results). */
  workload?: Workload;
  schedule: { what: string; delayMs: number }[];
  faults: Pick<FaultRecord, 'kind' | 'target' | 'role' | 'atMs'>[];
  checks: { name: string; valid: Validity; message: string }[];
  metrics: ScenarioMetrics;
  /** Per shard (its keys together); `metrics` holds the totals, and the worst shard's gap. */
  shards?: ShardResult[];
  /** Every key the run loaded (lists, under --workload append), with its slot and what it lost. */
  keys?: KeyResult[];
  error: string | null;
  /** True when the checks judged a history cut short (an interrupted run). */
  partial?: boolean;
  /** This scenario's own session setup (platform up, bootstrap, app), with --parallel. */
  setup?: Record<string, number> | null;
  /** Where each pod was at the start: its node and zone, its role, and whose replica it was. */
  placement?: PodPlacement[];
  /** The scenario's stated expectations, each judged by its checks (absent for a run without a spec). */
  promises?: PromiseVerdict[];
}

/** One key of a run: where it lived at the start, and its own verdict. */
export interface KeyResult {
  key: string;
  slot: number;
  masterAtStart: string | null;
  acknowledged: number;
  /** Acknowledged writes missing from the final read; null if that read failed. */
  lostAcknowledged: number | null;
  valid: Validity | null;
}

export interface PodPlacement {
  pod: string;
  node: string | null;
  zone: string | null;
  role: 'master' | 'replica' | 'unknown';
  /** The pod it replicated, for a replica. */
  replicaOf: string | null;
}

/** Each pod's node and role in one topology (the scenario's start). */
export function placementOf(t: Topology): PodPlacement[] {
  const selves = selfEntries(t);
  return t.views.map((v) => {
    const self = selves.find((e) => e.view === v)?.self;
    const master = self?.masterId ? selves.find((e) => e.self.id === self.masterId)?.view.pod ?? null : null;
    return { pod: v.pod, node: v.node ?? null, zone: v.zone ?? null, role: self?.role ?? 'unknown', replicaOf: master };
  });
}

/** false → failed (the system misbehaved); unknown → error (the harness could not judge). */
export function statusOf(valid: Validity): ScenarioStatus {
  return valid === true ? 'passed' : valid === false ? 'failed' : 'error';
}

/**
 * A judged scenario's status. One that injected no fault proved nothing, whatever its checks say.
 * The run's verdict and `npm run check` both take it from here, so that they cannot disagree.
 */
export function verdictOf(checks: CheckResult[], faults: FaultRecord[]): { status: ScenarioStatus; error: string | null } {
  return faults.length === 0 ? { status: 'error', error: 'no fault was injected' } : { status: statusOf(combine(checks)), error: null };
}

/** The counter's details, or the appends' where the run had no counter (--workload append): the fields both write. */
function writesOf(checks: readonly CheckResult[]): Recorded<CheckDetails['counter'] | CheckDetails['append']> {
  const counter = detailsOf(checks, 'counter');
  return counter.applicable === false ? detailsOf(checks, 'append') : counter;
}

export function metricsOf(checks: CheckResult[], faults: FaultRecord[], recoveredAtMs: number | null): ScenarioMetrics {
  const counter = writesOf(checks);
  const availability = detailsOf(checks, 'availability');
  const append = detailsOf(checks, 'append');
  const firstFault = faults.length ? Math.min(...faults.map((f) => f.atMs)) : null;
  return {
    attempted: counter.attempted ?? 0,
    acknowledged: counter.acknowledged ?? 0,
    failed: counter.failed ?? 0,
    indeterminate: counter.indeterminate ?? 0,
    finalCount: counter.finalCount ?? null,
    lostAcknowledged: counter.lostAcknowledged ?? null,
    phantom: counter.phantom ?? null,
    maxUnavailableMs: availability.maxUnavailableMs ?? null,
    failoverMs: detailsOf(checks, 'replica-promotion').failoverMs ?? null,
    recoveryMs: firstFault !== null && recoveredAtMs !== null ? Math.round(recoveredAtMs - firstFault) : null,
    p99LatencyMs: availability.latency?.all?.p99 ?? null,
    ...(detailsOf(checks, 'counter').applicable !== false && append.applicable === true ? { appends: appendMetricsOf(append) } : {}),
  };
}

function appendMetricsOf(d: CheckDetails['append']): AppendMetrics {
  return {
    attempted: d.attempted ?? 0, acknowledged: d.acknowledged ?? 0, failed: d.failed ?? 0, indeterminate: d.indeterminate ?? 0,
    lostAcknowledged: d.lostAcknowledged ?? null,
    rolledBack: d.counts?.rollbacks ?? 0, inMinorityWindow: (d.minorityWindow?.lostAcknowledged ?? 0) + (d.minorityWindow?.rolledBack ?? 0),
  };
}

export const emptyMetrics = (): ScenarioMetrics => metricsOf([], [], null);

/** Each key's figures as both workloads write them (a run with one key wrote no perKey: its figures are the check's own). */
interface KeyFigures {
  key: string;
  slot: number;
  masterAtStart: string | null;
  valid?: Validity;
  acknowledged?: number | null;
  failed?: number | null;
  indeterminate?: number | null;
  lostAcknowledged?: number | null;
}

const perKeyOf = (checks: CheckResult[]) => {
  const writes = writesOf(checks);
  const gaps = detailsOf(checks, 'availability').shards ?? [];
  const perKey: KeyFigures[] = writes.perKey ?? (gaps[0] ? [{ ...writes, key: gaps[0].key, slot: gaps[0].slot, masterAtStart: gaps[0].masterAtStart }] : []);
  return { perKey, gaps };
};

/** Each key's figures, from the counter's (or the lists') per-key details. */
export function keysOf(checks: CheckResult[]): KeyResult[] {
  return perKeyOf(checks).perKey.map((k) => ({
    key: k.key, slot: k.slot, masterAtStart: k.masterAtStart,
    acknowledged: k.acknowledged ?? 0, lostAcknowledged: k.lostAcknowledged ?? null, valid: k.valid ?? null,
  }));
}

/** The shards' figures: each key's counts summed by its master at the start, with availability's gap for the shard. */
export function shardsOf(checks: CheckResult[]): ShardResult[] {
  const { perKey, gaps } = perKeyOf(checks);
  const shards = new Map<string, ShardResult>();
  for (const k of perKey) {
    const master = k.masterAtStart;
    const id = master ?? `unowned ${k.key}`;
    const shard = shards.get(id);
    const lost = k.lostAcknowledged ?? null;
    if (shard) {
      shard.keys = (shard.keys ?? 1) + 1;
      shard.acknowledged += k.acknowledged ?? 0;
      shard.failed += k.failed ?? 0;
      shard.indeterminate += k.indeterminate ?? 0;
      shard.lostAcknowledged = shard.lostAcknowledged === null || lost === null ? null : shard.lostAcknowledged + lost;
      continue;
    }
    const gap = (master === null ? undefined : gaps.find((g) => g.masterAtStart === master)) ?? gaps.find((g) => g.key === k.key) ?? gaps.find((g) => g.slot === k.slot);
    shards.set(id, {
      key: k.key, slot: k.slot, masterAtStart: master, keys: 1,
      acknowledged: k.acknowledged ?? 0, failed: k.failed ?? 0, indeterminate: k.indeterminate ?? 0,
      lostAcknowledged: lost, maxUnavailableMs: gap?.maxUnavailableMs ?? null,
    });
  }
  return [...shards.values()];
}
