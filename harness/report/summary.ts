import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlatformInfo } from '../platform/types.ts';
import { exitCodeOf } from '../util/terminate.ts';
import { emptyMetrics, type ScenarioResult, type ScenarioStatus } from '../scenario/result.ts';
import { WAIT_TIMEOUT_MS, type HarnessOptions } from '../session/options.ts';
import { replicasText, type ClusterShape } from '../manifests/index.ts';

export interface RunSummary {
  runId: string;
  platform: string;
  manifests: string;
  seed: number;
  nodeTimeoutOverrideMs: number | null;
  manifestNodeTimeoutMs: number | null;
  /** The cluster's shape, masters × replicas per master; absent in summaries from before any shape but 3 × 1. */
  shape?: ClusterShape | null;
  /** --redis-config overrides applied to every Redis pod, in order. */
  redisConfig: Record<string, string>;
  redisImage: string | null;
  /**
   * --wait-replicas: the app followed each write with WAIT replicas timeoutMs and acknowledged only
   * writes that many replicas had. Absent or null: no WAIT (and in summaries from before the flag).
   */
  waitReplicas?: { replicas: number; timeoutMs: number } | null;
  redisServerVersion: string | null;
  /** The local platform's isolation mode (namespaces or processes); null on Kubernetes. */
  isolation: 'namespaces' | 'processes' | null;
  startedAt: string;
  finishedAt: string;
  status: ScenarioStatus;
  /** 0 every scenario passed, 1 a check failed, 2 the harness could not do its job, 128 + n a signal (141: its output was closed). */
  exitCode: 0 | 1 | 2 | 129 | 130 | 141 | 143;
  /** The signal that interrupted the run, if one did. */
  interruptedBy: string | null;
  /** How many scenarios ran at once, each on its own cluster; 1 is the walkthrough's sequence on one. */
  parallel: number;
  error: string | null;
  /**
   * The shared session's setup. appUpMs: what the hit counter added after the cluster was ready; it
   * starts once `--cluster create` returns, beside the replicas' first sync, so often 0.
   */
  timings: { platformUpMs: number | null; bootstrapMs: number | null; clusterCreateMs?: number | null; replicaSyncMs?: number | null; appUpMs: number | null };
  scenarios: ScenarioResult[];
}

/** An interruption wins; then any error (the run could not be judged); then a failure over a pass. */
export function overall(statuses: ScenarioStatus[], error: string | null, interruptedBy: NodeJS.Signals | null = null): { status: ScenarioStatus; exitCode: RunSummary['exitCode'] } {
  if (interruptedBy) return { status: 'interrupted', exitCode: exitCodeOf(interruptedBy) as RunSummary['exitCode'] };
  if (error || statuses.length === 0 || statuses.includes('error')) return { status: 'error', exitCode: 2 };
  if (statuses.includes('failed')) return { status: 'failed', exitCode: 1 };
  return { status: 'passed', exitCode: 0 };
}

export async function readScenarioResults(runDir: string, names: string[], missingReason: (name: string) => string, missingStatus: ScenarioStatus = 'error'): Promise<ScenarioResult[]> {
  return Promise.all(names.map(async (name) => {
    try {
      return JSON.parse(await readFile(path.join(runDir, 'scenarios', name, 'result.json'), 'utf8')) as ScenarioResult;
    } catch {
      return { name, status: missingStatus, startedAt: '', durationMs: 0, seed: 0, schedule: [], faults: [], checks: [], metrics: emptyMetrics(), error: missingReason(name) } satisfies ScenarioResult;
    }
  }));
}

export function buildSummary(input: {
  options: HarnessOptions; info: PlatformInfo | null; redisImage: string | null; manifestNodeTimeoutMs: number | null; shape?: ClusterShape | null;
  startedAt: Date; error: string | null; timings: RunSummary['timings']; scenarios: ScenarioResult[]; interruptedBy?: NodeJS.Signals | null;
}): RunSummary {
  const { options, info, scenarios, error } = input;
  return {
    runId: options.runId,
    platform: options.platform,
    manifests: options.manifests,
    seed: options.seed,
    nodeTimeoutOverrideMs: options.nodeTimeoutMs,
    manifestNodeTimeoutMs: input.manifestNodeTimeoutMs,
    shape: input.shape ?? null,
    redisConfig: Object.fromEntries(options.redisConfig.map((o) => [o.key, o.value])),
    redisImage: info?.redisImage ?? input.redisImage,
    waitReplicas: options.waitReplicas ? { replicas: options.waitReplicas, timeoutMs: WAIT_TIMEOUT_MS } : null,
    redisServerVersion: info?.redisServerVersion ?? null,
    isolation: info?.isolation ?? (options.platform === 'local' && options.isolation !== 'auto' ? options.isolation : null),
    startedAt: input.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    ...overall(scenarios.map((s) => s.status), error, input.interruptedBy ?? null),
    interruptedBy: input.interruptedBy ?? null,
    parallel: options.parallel,
    error,
    timings: input.timings,
    scenarios,
  };
}

export async function writeSummary(runDir: string, summary: RunSummary): Promise<void> {
  await writeFile(path.join(runDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  // reports/latest → the newest run, relative so the folder can be moved or archived whole.
  const latest = path.join(path.dirname(runDir), 'latest');
  await rm(latest, { force: true });
  await symlink(path.basename(runDir), latest);
}

/** The Redis settings in force, as the report header, the Markdown verdict and the progress log show them. */
export function redisSettingsText(s: Pick<RunSummary, 'nodeTimeoutOverrideMs' | 'manifestNodeTimeoutMs' | 'redisConfig' | 'waitReplicas' | 'shape'>): string {
  const timeout = s.nodeTimeoutOverrideMs === null ? `node timeout ${s.manifestNodeTimeoutMs ?? '?'} ms (manifests)` : `node timeout ${s.nodeTimeoutOverrideMs} ms (--node-timeout override)`;
  const extra = Object.entries(s.redisConfig ?? {}).map(([k, v]) => `${k}=${v === '' ? '""' : v}`);
  const wait = s.waitReplicas ? ` · --wait-replicas ${s.waitReplicas.replicas} (WAIT ${s.waitReplicas.replicas} ${s.waitReplicas.timeoutMs} ms after each write)` : '';
  const shape = s.shape ? `${s.shape.masters} masters × ${replicasText(s.shape.replicasPerMaster)} · ` : '';
  return `${shape}${extra.length ? `${timeout} · --redis-config ${extra.join(' ')}` : timeout}${wait}`;
}
