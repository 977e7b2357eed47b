import { appendFileSync } from 'node:fs';
import { makeDirSync } from '../util/make-dir.ts';
import path from 'node:path';
import { errorMessage } from '../errors.ts';
import { interruptedAt, interruptedBy } from '../util/terminate.ts';
import { chartThread, type ChartRenderer } from '../report/chart-renderer.ts';
import { writeHtmlReport } from '../report/html.ts';
import { buildSummary, readScenarioResults, writeSummary } from '../report/summary.ts';
import { scenarioNames } from '../scenario/catalog.ts';
import { progressLine } from '../scenario/progress.ts';
import { redisFlagsText, runDirOf, type HarnessOptions } from '../session/options.ts';
import { SessionPool } from '../session/pool.ts';
import { asInterrupted } from './interrupted.ts';
import { handOver, type OpenedRun } from './handover.ts';
import type { RunnerFailure } from './runner-errors.ts';

/** Opens a run: its folder, its header line and its sessions' start (handover.ts says what it holds). */
export function openRun(options: HarnessOptions): OpenedRun {
  const runDir = runDirOf(options);
  // The report folder was made by the CLI (makeFlagDir); only the run's own level is new here.
  makeDirSync(runDir);
  const startedAt = new Date();
  const log = (line: string) => {
    process.stdout.write(`${line}\n`);
    appendFileSync(path.join(runDir, 'progress.log'), `${line}\n`);
  };
  const mode = options.parallel > 1 ? 'fresh' : 'shared';
  log(progressLine(startedAt.getTime(), 'setup', `run ${options.runId}, seed ${options.seed}${redisFlagsText(options)}${mode === 'fresh' ? `, ${options.parallel} scenarios at a time, each on its own cluster` : ''}; reports in ${runDir}`));
  const pool = new SessionPool(options, mode, (scope, m) => log(progressLine(startedAt.getTime(), scope, m)));
  let error: string | null = null;
  let interrupted = false;
  const couldNotStart = (e: unknown) => {
    // Only the first reason is the run's; a later one (a start the run's end aborted) says no more.
    if (error !== null) return;
    interrupted = pool.interrupted !== null;
    error = errorMessage(e);
    log(progressLine(startedAt.getTime(), 'setup', `the harness could not start: ${error}`));
  };
  const lost = new Map<string, string>();
  const runnerFailed = (failure: RunnerFailure) => {
    error ??= failure.reason;
    for (const [scenario, why] of failure.lost) lost.set(scenario, why);
    log(progressLine(startedAt.getTime(), 'run', failure.reason));
    for (const [scenario, why] of failure.lost) log(progressLine(startedAt.getTime(), 'run', `${scenario}: ${why}`));
  };
  const sharedStart = mode === 'shared' ? pool.startShared().catch((e: unknown) => (couldNotStart(e), null)) : Promise.resolve(null);
  // In the catalog's order, which is the order vitest's sequencer starts the scenario files in.
  if (mode === 'fresh') pool.prestart(scenarioNames().filter((s) => options.scenarios.includes(s)).slice(0, options.parallel));
  let closed: Promise<void> | null = null;
  let charts: ChartRenderer | null = null;
  let markRecorded = () => undefined as void;
  const recorded = new Promise<void>((resolve) => (markRecorded = resolve));
  const run: OpenedRun = {
    options, runDir, startedAt, mode, pool, sharedStart, log, couldNotStart, runnerFailed, recorded,
    get error() { return error; },
    get interrupted() { return interrupted; },
    preloadReport: () => void (charts ??= chartThread()),
    close: () => (closed ??= record(run, lost, charts).finally(markRecorded)),
  };
  return run;
}

/**
 * The platforms come down while the record is written (a second, measured): the summary needs
 * nothing teardown changes, and teardown errors are only logged. pool.close() first aborts a
 * shared session still starting, so that its outcome is known before the summary is built.
 */
async function record(run: OpenedRun, lost: ReadonlyMap<string, string>, charts: ChartRenderer | null): Promise<void> {
  const { options, runDir, startedAt, mode, pool, log } = run;
  const closing = pool.close();
  const shared = await run.sharedStart;
  try {
    const signal = interruptedBy();
    const names = options.scenarios.length ? options.scenarios : scenarioNames();
    const missing = (name: string) => (signal ? `interrupted by ${signal} before it ran` : (lost.get(name) ?? run.error ?? 'the scenario did not run'));
    const recorded = await readScenarioResults(runDir, names, missing, signal ? 'interrupted' : 'error');
    const scenarios = asInterrupted(recorded, signal, interruptedAt());
    const first = shared ?? pool.first;
    const summary = buildSummary({
      options, info: first?.platform.info ?? null, redisImage: first?.system.redis.container.image ?? null,
      manifestNodeTimeoutMs: first?.system.redis.nodeTimeoutMs ?? null, shape: first?.system.shape ?? null, startedAt, error: run.error, interruptedBy: signal,
      timings: (mode === 'shared' ? shared?.timings : null) ?? { platformUpMs: null, bootstrapMs: null, appUpMs: null }, scenarios,
    });
    await writeSummary(runDir, summary);
    const html = await writeHtmlReport(runDir, summary, charts ?? undefined);
    for (const e of await closing) log(`teardown: ${e}`);
    log(progressLine(startedAt.getTime(), 'report', `${summary.status}: ${path.join(runDir, 'summary.json')}, ${html}`));
  } finally {
    await charts?.close();
    await closing; // also when the record could not be written: nothing may be left running
  }
}

/** The CLI's side: opens the run and leaves it for global setup to adopt (handover.ts). */
export function openRunForVitest(options: HarnessOptions): OpenedRun {
  const run = openRun(options);
  handOver(run);
  return run;
}
