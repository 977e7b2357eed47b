// Test helper: a run folder as `npm run scenarios` leaves it, written by the run's own writers.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCheckers, SEED_CHECKERS, type CheckResult, type RunEvidence } from '../checkers/index.ts';
import type { Topology } from '../cluster/index.ts';
import { overall, type RunSummary } from '../report/summary.ts';
import { writeEvidence } from '../scenario/evidence.ts';
import { keysOf, metricsOf, shardsOf, verdictOf, type ScenarioResult } from '../scenario/result.ts';
import { HistoryRecorder } from '../workload/history.ts';
import { sampleLine, summarize, type SamplingSettings } from '../workload/sampler.ts';

export interface RecordedScenario {
  name: string;
  /** Everything but the samples, which are summarized from `sampled` as the sampler does. */
  evidence: Omit<RunEvidence, 'samples'>;
  sampled: { t: Topology; tMs: number }[];
  sampling: SamplingSettings;
}

/** Records each scenario's files and verdict, then the run's summary.json; returns the run folder. */
export async function recordRun(scenarios: RecordedScenario[], runId = '20260101-000000-0001'): Promise<string> {
  const runDir = path.join(await mkdtemp(path.join(os.tmpdir(), 'recorded-run-')), runId);
  const results: ScenarioResult[] = [];
  for (const s of scenarios) {
    const dir = path.join(runDir, 'scenarios', s.name);
    await mkdir(path.join(dir, 'logs'), { recursive: true });
    const history = new HistoryRecorder(path.join(dir, 'history.jsonl'));
    for (const op of s.evidence.history) history.complete(history.invoke(op.process, op.f, op.invokeNs, op.key), op.type, op.value, op.completeNs, op.error);
    await history.close();
    await writeFile(path.join(dir, 'topology.jsonl'), s.sampled.map(({ t, tMs }) => sampleLine(t, tMs)).join(''));
    const evidence: RunEvidence = { ...s.evidence, samples: s.sampled.map(({ t, tMs }) => summarize(t, tMs, s.sampling.counterSlot, s.sampling.watchSlots)) };
    await writeEvidence(dir, evidence, s.sampling);
    const checks = runCheckers(SEED_CHECKERS, evidence);
    const result = resultOf(s.name, evidence, checks);
    await writeFile(path.join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
    await writeFile(path.join(dir, 'checks.json'), `${JSON.stringify(checks, null, 2)}\n`);
    results.push(result);
  }
  const summary: RunSummary = {
    runId, platform: 'local', manifests: 'manifests', seed: 3, nodeTimeoutOverrideMs: 2000, manifestNodeTimeoutMs: 15000, redisConfig: {},
    redisImage: null, redisServerVersion: '7.0.15', isolation: 'processes', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:01:00.000Z',
    ...overall(results.map((r) => r.status), null), interruptedBy: null, parallel: 1, error: null,
    timings: { platformUpMs: 1, bootstrapMs: 1, appUpMs: 1 }, scenarios: results,
  };
  await writeFile(path.join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return runDir;
}

/** As resultOf (scenario/judge.ts) builds a judged scenario's entry. */
function resultOf(name: string, e: RunEvidence, checks: CheckResult[]): ScenarioResult {
  return {
    name, ...verdictOf(checks, e.faults), startedAt: '2026-01-01T00:00:01.000Z', durationMs: 20_000, seed: 3, schedule: [],
    faults: e.faults.map(({ kind, target, role, atMs }) => ({ kind, target, role, atMs })),
    checks: checks.map(({ name: n, valid, message }) => ({ name: n, valid, message })),
    metrics: metricsOf(checks, e.faults, e.recoveredAtMs), shards: shardsOf(checks), keys: keysOf(checks), setup: null, placement: [],
  };
}
