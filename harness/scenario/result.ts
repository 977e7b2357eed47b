import { selfEntries, type Topology } from '../cluster/index.ts';
import { combine, type CheckResult, type FaultRecord, type Validity } from '../checkers/index.ts';
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

/** A check's details, as its checker wrote them ({} when the check is not in the list). */
function detailsOf(checks: CheckResult[], name: string): Record<string, unknown> {
  return checks.find((c) => c.name === name)?.details ?? {};
}

/** The counter's details, or the appends' where the run had no counter (--workload append). */
function writesOf(checks: CheckResult[]): Record<string, unknown> {
  return detailsOf(checks, 'counter').applicable === false ? detailsOf(checks, 'append') : detailsOf(checks, 'counter');
}

export function metricsOf(checks: CheckResult[], faults: FaultRecord[], recoveredAtMs: number | null): ScenarioMetrics {
  const d = (name: string) => detailsOf(checks, name);
  const counter = writesOf(checks) as Partial<Record<string, number | null>>;
  const availability = d('availability') as { maxUnavailableMs?: number; latency?: { all?: { p99?: number | null } } };
  const promotion = d('replica-promotion') as { failoverMs?: number | null };
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
    failoverMs: promotion.failoverMs ?? null,
    recoveryMs: firstFault !== null && recoveredAtMs !== null ? Math.round(recoveredAtMs - firstFault) : null,
    p99LatencyMs: availability.latency?.all?.p99 ?? null,
    ...(d('counter').applicable !== false && d('append').applicable === true ? { appends: appendMetricsOf(d('append')) } : {}),
  };
}

function appendMetricsOf(d: Record<string, unknown>): AppendMetrics {
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  const counts = (d.counts ?? {}) as { rollbacks?: number };
  const window = (d.minorityWindow ?? {}) as { lostAcknowledged?: number; rolledBack?: number };
  return {
    attempted: n(d.attempted), acknowledged: n(d.acknowledged), failed: n(d.failed), indeterminate: n(d.indeterminate),
    lostAcknowledged: typeof d.lostAcknowledged === 'number' ? d.lostAcknowledged : null,
    rolledBack: n(counts.rollbacks), inMinorityWindow: n(window.lostAcknowledged) + n(window.rolledBack),
  };
}

export const emptyMetrics = (): ScenarioMetrics => metricsOf([], [], null);

const perKeyOf = (checks: CheckResult[]) => {
  const counter = writesOf(checks) as { perKey?: Record<string, unknown>[] } & Record<string, unknown>;
  const gaps = ((detailsOf(checks, 'availability') as { shards?: { key: string; slot: number; masterAtStart: string | null; maxUnavailableMs: number }[] }).shards) ?? [];
  return { perKey: counter.perKey ?? (gaps[0] ? [{ ...counter, key: gaps[0].key, slot: gaps[0].slot, masterAtStart: gaps[0].masterAtStart }] : []), gaps };
};
const num = (v: unknown) => (typeof v === 'number' ? v : null);

/** Each key's figures, from the counter's (or the lists') per-key details. */
export function keysOf(checks: CheckResult[]): KeyResult[] {
  return perKeyOf(checks).perKey.map((k) => ({
    key: String(k.key), slot: Number(k.slot), masterAtStart: (k.masterAtStart as string | null) ?? null,
    acknowledged: num(k.acknowledged) ?? 0, lostAcknowledged: num(k.lostAcknowledged),
    valid: k.valid === true || k.valid === false || k.valid === 'unknown' ? k.valid : null,
  }));
}

/** The shards' figures: each key's counts summed by its master at the start, with availability's gap for the shard. */
export function shardsOf(checks: CheckResult[]): ShardResult[] {
  const { perKey, gaps } = perKeyOf(checks);
  const shards = new Map<string, ShardResult>();
  for (const k of perKey) {
    const master = (k.masterAtStart as string | null) ?? null;
    const id = master ?? `unowned ${String(k.key)}`;
    const shard = shards.get(id);
    const lost = num(k.lostAcknowledged);
    if (shard) {
      shard.keys = (shard.keys ?? 1) + 1;
      shard.acknowledged += num(k.acknowledged) ?? 0;
      shard.failed += num(k.failed) ?? 0;
      shard.indeterminate += num(k.indeterminate) ?? 0;
      shard.lostAcknowledged = shard.lostAcknowledged === null || lost === null ? null : shard.lostAcknowledged + lost;
      continue;
    }
    const gap = (master === null ? undefined : gaps.find((g) => g.masterAtStart === master)) ?? gaps.find((g) => g.key === k.key) ?? gaps.find((g) => g.slot === k.slot);
    shards.set(id, {
      key: String(k.key), slot: Number(k.slot), masterAtStart: master, keys: 1,
      acknowledged: num(k.acknowledged) ?? 0, failed: num(k.failed) ?? 0, indeterminate: num(k.indeterminate) ?? 0,
      lostAcknowledged: lost, maxUnavailableMs: gap?.maxUnavailableMs ?? null,
    });
  }
  return [...shards.values()];
}
