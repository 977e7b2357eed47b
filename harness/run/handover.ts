import type { HarnessOptions } from '../session/options.ts';
import type { SessionPool } from '../session/pool.ts';
import type { Session } from '../session/session.ts';
import type { RunnerFailure } from './runner-errors.ts';

/**
 * A run's sessions, opened as early as possible, and its record (opened-run.ts opens it).
 * `npm run scenarios` opens it before it starts vitest, so that the platform, the cluster and the
 * app come up while vitest starts its worker and the worker imports the scenarios (about 3 s of
 * the cold single-scenario run, measured). vitest itself starts once the pods are up (cli.ts's
 * podsFirst), while the cluster forms. vitest's global setup then adopts it and closes it at the
 * end. Run through vitest directly, global setup opens it itself. A run vitest never adopted (a
 * Ctrl-C while it loaded) is closed by the CLI.
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
   * report.html's charts load vega, a second and more when cold, and drawing them held up the
   * run's teardown on this thread after the verdict: global setup starts the run's chart thread
   * (report/chart-renderer.ts), which loads vega and warms it up while the cluster forms, before
   * any load or fault, off the main thread, so it measures nothing.
   */
  preloadReport(): void;
  /**
   * Tears every session down and writes the run's record (summary.json, report.html), once; later
   * calls wait for the first. Vitest's global teardown calls it, and the CLI after vitest has
   * closed, for a run whose teardown vitest never reached (a Ctrl-C while it loaded or set up).
   */
  close(): Promise<void>;
}

// Handed over on globalThis, as util/terminate.ts keeps its registry: the CLI (loaded by tsx) and
// vitest's global setup (loaded by vitest's module runner) hold separate copies of the modules.
// A module of its own, and a small one: global setup imports it first, and when the CLI has opened
// the run, nothing else of opened-run.ts's (the report, the session pool, the platforms) is loaded
// into vitest's copy before the worker starts.
const KEY = Symbol.for('redis-chaos.opened-run');
const slot = globalThis as Record<symbol, OpenedRun | undefined>;

export function handOver(run: OpenedRun): void {
  slot[KEY] = run;
}

/** Takes the run the CLI opened, once; null when there is none (vitest run directly) or it was taken. */
export function adoptOpenedRun(): OpenedRun | null {
  const run = slot[KEY] ?? null;
  delete slot[KEY];
  return run;
}
