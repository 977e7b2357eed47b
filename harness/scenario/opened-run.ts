import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.ts';
import { scenarioNames } from './catalog.ts';
import { progressLine } from './progress.ts';
import { redisFlagsText, runDirOf, type HarnessOptions } from '../session/options.ts';
import { SessionPool } from '../session/pool.ts';
import type { Session } from '../session/session.ts';

/**
 * A run's sessions, opened as early as possible. `npm run scenarios` opens it before it loads
 * vitest, so that the platform, the cluster and the app come up while vitest boots and imports
 * the scenarios (about 3 s of the cold single-scenario run, measured); vitest's global setup then
 * adopts it. Run through vitest directly, global setup opens it itself.
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
    if (error === null) interrupted = pool.interrupted !== null;
    error ??= errorMessage(e);
    log(progressLine(startedAt.getTime(), 'setup', `the harness could not start: ${error}`));
  };
  const sharedStart = mode === 'shared' ? pool.startShared().catch((e: unknown) => (couldNotStart(e), null)) : Promise.resolve(null);
  // In the catalog's order, which is the order vitest's sequencer starts the scenario files in.
  if (mode === 'fresh') pool.prestart(scenarioNames().filter((s) => options.scenarios.includes(s)).slice(0, options.parallel));
  return { options, runDir, startedAt, mode, pool, sharedStart, log, couldNotStart, get error() { return error; }, get interrupted() { return interrupted; } };
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
