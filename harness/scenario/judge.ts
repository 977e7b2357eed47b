import { SEED_CHECKERS, runCheckers, type CheckResult, type Expectations, type RunEvidence } from '../checkers/index.ts';
import { answeredSnapshot, snapshot } from '../cluster/index.ts';
import { errorMessage } from '../errors.ts';
import type { FaultInjector } from '../faults/injector.ts';
import { readCount, readList } from '../workload/read-count.ts';
import { emptyMetrics, keysOf, metricsOf, placementOf, shardsOf, type ScenarioResult } from './result.ts';
import type { Schedule } from './schedule.ts';
import { seriesOf } from './series.ts';
import { writeScenarioArtifacts } from './artifacts.ts';
import { writeEvidence } from './evidence.ts';
import { inBatches, seriesShards } from './keys.ts';
import { promiseVerdicts, type StatedExpectation } from './spec.ts';
import type { MemoryActions } from './memory.ts';
import type { RunningOomWatch } from './oom-watch.ts';
import type { ScenarioEnv } from './context.ts';
import type { StartedLoad } from './start-load.ts';

/**
 * What the verdict needs of a run: its load as started, and what the run added since. ScenarioRun
 * gathers it (run.ts imports this file, never the reverse); recoveredAtMs is read when the verdict
 * reads it, as a field of the run would be.
 */
export interface JudgedRun extends StartedLoad {
  readonly env: ScenarioEnv;
  readonly name: string;
  readonly options: { expect?: Expectations; promises?: readonly StatedExpectation[] };
  readonly faults: FaultInjector;
  readonly schedule: Schedule;
  readonly counterSlot: number;
  readonly memory: MemoryActions;
  readonly oomWatch: RunningOomWatch | null;
  readonly recoveredAtMs: number | null;
  log(message: string): void;
}

/** The final read and topology (each bounded), then every checker on the evidence. */
export async function judge(run: JudgedRun, readTimeoutMs = 10_000): Promise<CheckResult[]> {
  // The counters, the lists and the topology at once: the load has stopped, so none waits on another.
  const [keys, lists, final] = await Promise.all([
    inBatches(run.keys, async (k, i) => ({ ...k, finalRead: await readCount(run.env.appUrl, readTimeoutMs, i === 0 ? undefined : k.key).catch(() => null) })),
    inBatches(run.lists, async (l) => ({ ...l, finalRead: await readList(run.env.appUrl, l.key, readTimeoutMs).catch(() => null) })),
    // The final topology decides several checks: a node that answers late is asked again, not judged unreachable.
    (readTimeoutMs < 10_000
      ? snapshot(run.env.platform, { timeoutMs: Math.min(1000, readTimeoutMs) })
      : answeredSnapshot(run.env.platform, { skip: new Set(run.faults.openPauses()) })
    ).catch(() => null),
  ]);
  const evidence: RunEvidence = {
    history: run.history.ops, baseline: keys[0]!.baseline, finalRead: keys[0]!.finalRead, keys, samples: run.sampler.samples, before: run.before, final,
    faults: run.faults.records, recoveredAtMs: run.recoveredAtMs, shape: run.env.system.shape, nodeTimeoutMs: run.env.nodeTimeoutMs,
    ...(run.oomWatch && run.memory.limitBytes !== null ? { memory: { limitBytes: run.memory.limitBytes, oomKills: run.oomWatch.kills } } : {}),
    counterSlot: run.counterSlot, expect: run.options.expect ?? {},
    ...(run.lists.length ? { workload: run.kind, lists } : {}),
    observation: { stoppedEarly: [run.workload.stoppedEarly, run.sampler.stoppedEarly].filter((x): x is string => x !== null) }, claims: run.env.system.redis.statefulSet.volumeClaimTemplates,
  };
  // For `npm run check`; a run that cannot write it still has its verdict.
  await writeEvidence(run.dir, evidence, run.sampler.settings).catch((e: unknown) => run.log(`could not write evidence.json: ${errorMessage(e)}`));
  return runCheckers(SEED_CHECKERS, evidence);
}

/** The scenario's entry in summary.json (result.json): what it did, what was found, and the stated expectations judged. */
export function resultOf(run: JudgedRun, status: ScenarioResult['status'], checks: CheckResult[], error: string | null): ScenarioResult {
  return {
    name: run.name, status, startedAt: new Date(run.startedAt).toISOString(), durationMs: Date.now() - run.startedAt,
    seed: run.env.seed, workload: run.kind, schedule: run.schedule.planned,
    faults: run.faults.records.map(({ kind, target, role, atMs }) => ({ kind, target, role, atMs })),
    checks: checks.map(({ name, valid, message }) => ({ name, valid, message })),
    metrics: checks.length ? metricsOf(checks, run.faults.records, run.recoveredAtMs) : emptyMetrics(),
    shards: shardsOf(checks), keys: keysOf(checks),
    error, setup: run.env.setup ?? null, placement: placementOf(run.before),
    ...(run.options.promises ? { promises: promiseVerdicts(run.options.promises, checks) } : {}),
  };
}

/** One line per broken promise and per check that did not pass, for the test's failure message. */
export function summaryOf(result: ScenarioResult, checks: CheckResult[]): string {
  const broken = (result.promises ?? []).filter((p) => p.valid !== true).map((p) => `${p.valid === false ? 'broken' : 'unjudged'}: "${p.says}" (${p.checks.join(', ')})`);
  const failing = [...broken, ...checks.filter((c) => c.valid !== true).map((c) => `${c.name}: ${c.message}`)];
  return failing.join('\n') || (result.error ?? 'all checks passed');
}

/** result.json, checks.json, the charts' series and the pods' logs (artifacts.ts), with the series cut at this moment. */
export function writeRunArtifacts(run: JudgedRun, result: ScenarioResult, checks: CheckResult[]): Promise<void> {
  const series = seriesOf(run.history.ops, run.sampler.samples, run.faults.records, run.recoveredAtMs, run.clock.nowMs(), seriesShards(run.keys, run.lists));
  return writeScenarioArtifacts(run.env, run.dir, result, checks, { ...series, defaultKey: run.keys[0]!.key });
}
