import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { scenariosArgv } from '../cli/entry.ts';
import type { RunSummary } from '../report/summary.ts';
import { newRunId } from '../util/run-id.ts';
import type { Plan } from './plan.ts';
import type { Outcome } from './shrink.ts';

export interface PlanRun {
  runId: string;
  outcome: Outcome;
  /** The failing checks' lines, or the harness's error, for the log. */
  why: string;
  durationMs: number;
}

export interface RunnerOptions {
  root: string;
  /** The exploration's folder: plans/ and runs/ go under it. */
  dir: string;
  seed: number;
  /** Flags passed on to each run (--manifests, --node-timeout, ...). */
  passthrough: string[];
  signal: AbortSignal;
  /** Per run: the scenario has its own deadlines; this bounds a run that hangs anyway. */
  timeoutMs?: number;
}

/**
 * One `npm run scenarios -- --schedule FILE` in a child process: a fresh cluster, the plan played
 * under load, every check. Its folder is runs/<runId>/ (a run id of the usual shape, so the sweeper
 * finds its leftovers), its output runs/<runId>.log. Exit 0 pass, 1 fail; anything else, or no
 * summary, is `error`: the harness could not judge, which is never taken as a failure.
 */
export async function runPlan(plan: Plan, options: RunnerOptions): Promise<PlanRun> {
  const runId = newRunId();
  const runs = path.join(options.dir, 'runs');
  await mkdir(path.join(options.dir, 'plans'), { recursive: true });
  await mkdir(runs, { recursive: true });
  const planFile = path.join(options.dir, 'plans', `${runId}.json`);
  await writeFile(planFile, `${JSON.stringify(plan, null, 2)}\n`);
  const started = Date.now();
  const log = createWriteStream(path.join(runs, `${runId}.log`));
  const child = execa(process.execPath, scenariosArgv(['--schedule', planFile, '--seed', String(options.seed), '--report-dir', runs, ...options.passthrough]), {
    cwd: options.root, reject: false, buffer: false, stdin: 'ignore',
    env: { HARNESS_RUN_ID: runId, CI: process.env.CI ?? '' },
    // SIGTERM lets the run record and tear down; it has 90 s for that before its own hard stop.
    cancelSignal: options.signal, forceKillAfterDelay: 120_000, timeout: options.timeoutMs ?? 15 * 60_000,
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  const result = await child;
  log.end();
  const summary = await readFile(path.join(runs, runId, 'summary.json'), 'utf8').then((t) => JSON.parse(t) as RunSummary, () => null);
  const durationMs = Date.now() - started;
  const outcome: Outcome = result.exitCode === 0 && summary?.exitCode === 0 ? 'pass' : result.exitCode === 1 && summary?.exitCode === 1 ? 'fail' : 'error';
  const s = summary?.scenarios[0];
  const why = outcome === 'pass' ? '' : s?.checks.filter((c) => c.valid !== true).map((c) => `${c.name}: ${c.message}`).join(' | ') || s?.error || summary?.error || `exit ${result.exitCode ?? result.signal}`;
  return { runId, outcome, why, durationMs };
}
