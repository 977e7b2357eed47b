import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.ts';
import { interruptedAt, interruptedBy } from '../util/terminate.ts';
import { writeHtmlReport } from '../report/html.ts';
import { buildSummary, readScenarioResults, writeSummary } from '../report/summary.ts';
import { scenarioNames } from '../scenario/catalog.ts';
import { progressLine } from '../scenario/progress.ts';
import { redisFlagsText, runDirOf, type HarnessOptions } from '../session/options.ts';
import { SessionPool } from '../session/pool.ts';
import { asInterrupted } from './interrupted.ts';
import type { RunnerFailure } from './runner-errors.ts';
import type { Session } from '../session/session.ts';

/**
 * A run's sessions, opened as early as possible, and its record. `npm run scenarios` opens it
 * before it loads vitest, so that the platform, the cluster and the app come up while vitest boots
 * and imports the scenarios (about 3 s of the cold single-scenario run, measured); vitest's global
 * setup then adopts it and closes it at the end. Run through vitest directly, global setup opens
 * it itself. A run vitest never adopted (a Ctrl-C while it loaded) is closed by the CLI.
 *
 * The shared session starts at once and is not awaited here: a worker's lease waits for it, and a
 * session that fails becomes the run's error, as if setup had awaited it. With --parallel N, the
 * first N scenarios' own sessions start at once the same way.
 */
export interface OpenedRun {
  readonly options: HarnessOptions;
  readonly runDir: string;
  readonly startedAt: Date;
  readonly mode: 'shared' | 'fresh';
  readonly pool: SessionPool;
  /** Settles once the shared session has started or failed; null at once in fresh mode. */
  readonly sharedStart: Promise<Session | null>;
  /** The first reason the run could not start (its shared session, or the control bridge). */
  readonly error: string | null;
  /** That reason was Ctrl-C or SIGTERM, not a fault of the harness. */
  readonly interrupted: boolean;
  log(line: string): void;
  couldNotStart(error: unknown): void;
  /**
   * vitest's own failure beside the scenarios (run/runner-errors.ts): the run's error unless it
   * already has one, and the reason each scenario it lost has no record.
   */
  runnerFailed(failure: RunnerFailure): void;
  /** Settles once the record is written and the sessions are down; starts nothing itself (see close). */
  readonly recorded: Promise<void>;
  /**
   * report.html's charts load vega, a second and more when cold, which the run would otherwise
   * wait for after the verdict: global setup asks for it once vitest has loaded, while the cluster
   * forms (redis-cli sleeps), before any load or fault, so it is off the path and measures nothing.
   * Loaded by this copy of the modules, the one that writes the record: after a Ctrl-C the CLI's
   * loader (tsx) may load nothing more, since the terminal's signal also stops its esbuild helper.
   */
  preloadReport(): void;
  /**
   * Tears every session down and writes the run's record (summary.json, report.html), once; later
   * calls wait for the first. Vitest's global teardown calls it, and the CLI after vitest has
   * closed, for a run whose teardown vitest never reached (a Ctrl-C while it loaded or set up).
   */
  close(): Promise<void>;
}

export function openRun(options: HarnessOptions): OpenedRun {
  const runDir = runDirOf(options);
  mkdirSync(runDir, { recursive: true });
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
  let markRecorded = () => undefined as void;
  const recorded = new Promise<void>((resolve) => (markRecorded = resolve));
  const run: OpenedRun = {
    options, runDir, startedAt, mode, pool, sharedStart, log, couldNotStart, runnerFailed, recorded,
    get error() { return error; },
    get interrupted() { return interrupted; },
    preloadReport: () => void import('../report/charts.ts').catch(() => undefined),
    close: () => (closed ??= record(run, lost).finally(markRecorded)),
  };
  return run;
}

/**
 * The platforms come down while the record is written (a second, measured): the summary needs
 * nothing teardown changes, and teardown errors are only logged. pool.close() first aborts a
 * shared session still starting, so that its outcome is known before the summary is built.
 */
async function record(run: OpenedRun, lost: ReadonlyMap<string, string>): Promise<void> {
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
    const html = await writeHtmlReport(runDir, summary);
    for (const e of await closing) log(`teardown: ${e}`);
    log(progressLine(startedAt.getTime(), 'report', `${summary.status}: ${path.join(runDir, 'summary.json')}, ${html}`));
  } finally {
    await closing; // also when the record could not be written: nothing may be left running
  }
}

// Handed over on globalThis, as util/terminate.ts keeps its registry: the CLI (loaded by tsx) and
// vitest's global setup (loaded by vitest's module runner) hold separate copies of this module.
const KEY = Symbol.for('redis-chaos.opened-run');
const slot = globalThis as Record<symbol, OpenedRun | undefined>;

/** The CLI's side: opens the run and leaves it for global setup to adopt. */
export function openRunForVitest(options: HarnessOptions): OpenedRun {
  const run = openRun(options);
  slot[KEY] = run;
  return run;
}

/** Takes the run the CLI opened, once; null when there is none (vitest run directly) or it was taken. */
export function adoptOpenedRun(): OpenedRun | null {
  const run = slot[KEY] ?? null;
  delete slot[KEY];
  return run;
}
