// `npm run scenarios`: validate, run the scenario files with vitest, exit 0 pass / 1 check failed / 2 harness error.
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Vitest } from 'vitest/node';
import { asCommand, parseCliArgs, USAGE } from './cli/args.ts';
import { preflight } from './cli/preflight.ts';
import { buildWorkerBundle, WORKER_BUNDLE_ENV } from './cli/worker-bundle.ts';
import { errorMessage, HarnessError } from './errors.ts';
import type { RunSummary } from './report/summary.ts';
import { scenarioNames } from './scenario/catalog.ts';
import { adoptOpenedRun, type OpenedRun } from './run/handover.ts';
import { openRunForVitest } from './run/opened-run.ts';
import { isWorkerDeath, runnerFailure } from './run/runner-errors.ts';
import { optionsFromEnv, optionsToEnv, runDirOf } from './session/options.ts';
import { startForkServer } from './util/fork-server.ts';
import { makeFlagDir } from './util/make-dir.ts';
import { settledWithin } from './util/wait.ts';
import { dropOutputOnceClosed, exitCodeOf, interruptedBy, ownSignals, runTerminateCleanups, stopOnClosedOutput } from './util/terminate.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
// What vitest listens for in this process (its Logger), and the harness handles itself.
const VITEST_LISTENS = ['SIGINT', 'SIGTERM', 'unhandledRejection'] as const;
const ORDERLY_STOP_MS = 90_000;
const WORKERS_CLOSE_MS = 10_000;
const VITEST_WAITS_MS = 2000;

async function main(): Promise<number> {
  const known = scenarioNames();
  const { options, help, sweep, named, defaulted } = parseCliArgs(process.argv.slice(2), process.env, known);
  // --help and --sweep hold nothing to stop: a reader gone (`| head`) only drops the rest of their lines.
  if (help || sweep) dropOutputOnceClosed();
  if (help) {
    console.log(asCommand(`${USAGE}\nscenarios: ${known.join(', ')}`));
    return 0;
  }
  if (sweep) {
    const { sweep: sweepAll } = await import('./cli/sweep.ts');
    return sweepAll(options);
  }
  // From here a closed output stops the run: before the signals are owned (below) it only exits
  // 141, as nothing has started yet; preflight already prints.
  stopOnClosedOutput();
  startForkServer();
  await preflight(options, undefined, { named, defaulted });
  makeFlagDir(options.reportDir, '--report-dir');
  Object.assign(process.env, optionsToEnv(options));
  const runDir = runDirOf(options);
  // Signals are this process's from here on: a session may be starting (see interrupt below).
  let vitest: Vitest | null = null;
  let early: NodeJS.Signals | null = null;
  ownSignals((signal) => (vitest ? interrupt(vitest, signal) : void (early = signal)));
  // The scenario workers' harness (cli/worker-bundle.ts), built beside the pods' start; when
  // current, it is only its sources read again (a few ms).
  const workerBundle = process.env.HARNESS_BUNDLE === '0' ? Promise.resolve(null) : buildWorkerBundle();
  // The pods come up first, then the cluster forms while vitest starts (podsFirst); global setup
  // adopts the run.
  const opened = openRunForVitest(optionsFromEnv());
  const unexpected = recordUnexpectedErrors(opened);
  try {
    await podsFirst(opened);
    const bundle = await workerBundle;
    if (bundle) process.env[WORKER_BUNDLE_ENV] = bundle;
    // Loaded already when run from cli.mjs under tsx, before tsx: see there.
    const { createVitest } = await import('vitest/node');
    const events: NodeJS.EventEmitter = process; // listeners by name, signals and process events alike
    // Vitest exits 1 ms after a SIGINT or SIGTERM, and at once, with exit 1, on an unhandled
    // rejection; the harness must first record and tear down, so vitest's own listeners go: the
    // first signal is this process's to handle (see interrupt below), and an unexpected error is
    // recorded (recordUnexpectedErrors). vitest adds them early in createVitest, which takes seconds
    // on a busy machine (a rejection there ended a CI run with no record), so each goes in the tick
    // it is added, before Node delivers that tick's signals or rejections.
    const dropVitestListener = (event: string | symbol, listener: () => void) => {
      if ((VITEST_LISTENS as readonly (string | symbol)[]).includes(event)) queueMicrotask(() => events.off(event, listener));
    };
    events.on('newListener', dropVitestListener);
    // vitest's own stdout (its reporters' "report written to" lines) goes to vitest.log; its stderr,
    // where a scenario file that fails to load is reported, stays on the terminal.
    const vitestLog = createWriteStream(path.join(runDir, 'vitest.log'));
    try {
      vitest = await createVitest('test', {
        root,
        project: 'scenarios',
        watch: false,
        // vitest's own lines (its banner, ✓ per file) stay out of the terminal, which carries the
        // harness's progress on one clock and the verdict; its record goes to vitest.json.
        reporters: [
          ['json', { outputFile: path.join(runDir, 'vitest.json') }],
          ['junit', { outputFile: path.join(runDir, 'junit.xml') }],
          ['allure-vitest/reporter', { resultsDir: path.join(runDir, 'allure-results') }],
        ],
      }, undefined, { stdout: vitestLog });
    } finally {
      events.off('newListener', dropVitestListener);
    }
    try {
      const run = vitest.start(options.scenarios.map((s) => `scenarios/${s}.test.ts`));
      // A signal while vitest loaded: the session is already aborting; the scenarios are cancelled now.
      if (early) await interrupt(vitest, early);
      const { unhandledErrors, testModules } = await run;
      // Before vitest closes, which runs global teardown and so writes the record.
      const errors = [...unhandledErrors, ...unexpected.takeWorkerDeaths()];
      const failure = interruptedBy() ? null : runnerFailure(errors, testModules.map((m) => ({ moduleId: m.moduleId, state: m.state() })));
      if (failure) opened.runnerFailed(failure);
    } finally {
      await closeVitest(vitest, opened);
      await new Promise((resolve) => vitestLog.end(resolve));
    }
  } finally {
    // Normally global teardown has closed the run and this waits for nothing. But vitest may never
    // have reached global setup (it failed to load), or a Ctrl-C cancelled it mid-setup, after the
    // run was adopted and before a teardown was registered: the run is then still to tear down and
    // record. close() is once only, so both may call it.
    adoptOpenedRun();
    await opened.close();
  }
  const summary = await readFile(path.join(runDir, 'summary.json'), 'utf8').then((t) => JSON.parse(t) as RunSummary).catch(() => null);
  if (!summary) throw new HarnessError(`no summary.json was written in ${runDir}: the run did not complete`);
  printVerdict(summary, runDir);
  // An error too late for the record (it was being written) is not in it; the exit code still says so.
  if (unexpected.first && summary.exitCode < 2) {
    console.log(`the harness failed after its record was written: ${unexpected.first} (exit 2)`);
    return 2;
  }
  return summary.exitCode;
}

/**
 * vitest is loaded and started once the run's pods are up (or could not start), not beside them.
 * Loading it (0.25 s) and starting it (its config, its server, the scenario files' transforms,
 * served on this thread; the harness comes from its bundle) is CPU work on this process's main
 * thread, and so is starting the pods: beside it, the cold single-scenario run printed its first
 * line 450-540 ms after the process started and had its pods up 490-610 ms later; after them,
 * 276-313 and 313-359 ms (bench:scenarios, measured). The cluster's creation and first sync,
 * which come next, are waits on Redis (about 2 s) and hide vitest's start (1.7-2 s) as they hid
 * it before. Pods slower than VITEST_WAITS_MS (a Kubernetes cluster, many sessions at once) have
 * at least that bootstrap still ahead of them, so vitest starts then without waiting any longer.
 */
async function podsFirst(opened: OpenedRun): Promise<void> {
  await settledWithin(opened.pool.platformsUp(), VITEST_WAITS_MS);
}

/**
 * An error no code awaited (an unhandled rejection, an uncaught exception) in this process, which
 * owns the platforms: a harness bug, or vitest's pool throwing a worker's death at no listener.
 * Left to Node or vitest, the process exits 1 at once (the code of a failed check), with no record
 * and the run's namespaces, links and mounts left for the sweeper. Instead a bug is printed with
 * its stack and becomes the run's error, and a worker's death goes to runnerFailure as vitest's
 * other reports of it do: the run goes on, records and tears down, and exits 2.
 */
function recordUnexpectedErrors(opened: OpenedRun): { first: string | null; takeWorkerDeaths(): unknown[] } {
  // A scenario worker's death thrown here (it died while starting) is vitest's report of it, as in
  // its unhandledErrors: kept for runnerFailure, which names the scenarios it took, once vitest's
  // run has ended. One after that is an internal error like any other.
  let deaths: unknown[] | null = [];
  const state = {
    first: null as string | null,
    takeWorkerDeaths: () => {
      const taken = deaths ?? [];
      deaths = null;
      return taken;
    },
  };
  const onError = (error: unknown) => {
    if (deaths && isWorkerDeath(error)) {
      deaths.push(error);
      return;
    }
    const reason = `internal error: ${errorMessage(error)}`;
    process.stderr.write(`redis-chaos: ${reason}\n${error instanceof Error ? error.stack : ''}\n`);
    state.first ??= reason;
    opened.runnerFailed({ reason, lost: new Map() });
  };
  process.on('unhandledRejection', onError);
  process.on('uncaughtException', onError);
  return state;
}

/**
 * vitest's close runs global teardown (the record, the sessions down) and then stops its workers.
 * A worker that died while starting is never stopped: vitest 4.1 waits 60 s for it to start, then
 * for an exit code that a process killed by a signal never has. Once the record is written, the
 * workers get WORKERS_CLOSE_MS; past that, the CLI ends without them (they are gone or dead).
 */
async function closeVitest(vitest: Vitest, opened: OpenedRun): Promise<void> {
  const closing = vitest.close();
  // The bound starts only once the record is written: until then vitest may be running teardown.
  const closed = await Promise.race([closing.then(() => true), opened.recorded.then(() => settledWithin(closing, WORKERS_CLOSE_MS))]);
  if (!closed) opened.log(`run: vitest did not stop its workers within ${WORKERS_CLOSE_MS / 1000} s of the record; ending without waiting for them`);
}

/**
 * The first Ctrl-C, SIGTERM or closed output (SIGPIPE, stopOnClosedOutput): sessions still
 * starting are aborted (the pool listens), and the running scenarios are cancelled through
 * vitest, which aborts each test's signal: each stops its
 * load, records its history and partial verdict, and gives its session back. Then vitest ends,
 * globalSetup tears every session down and writes summary.json (status interrupted), and main()
 * exits with 128 + the signal. If that takes too long, the cleanups run and the process exits.
 */
async function interrupt(vitest: Vitest, signal: NodeJS.Signals): Promise<void> {
  const [what, again] = signal === 'SIGPIPE' ? ['the output was closed (SIGPIPE)', 'Ctrl-C'] : [signal, `${signal === 'SIGINT' ? 'Ctrl-C' : signal} again`];
  process.stderr.write(`\n${what}: stopping; each scenario records what it has, then everything is torn down (${again} to exit at once)\n`);
  const deadline = setTimeout(() => {
    process.stderr.write(`${signal}: the orderly stop took over ${ORDERLY_STOP_MS / 1000} s; tearing down now\n`);
    void runTerminateCleanups(signal).finally(() => process.exit(exitCodeOf(signal)));
  }, ORDERLY_STOP_MS);
  deadline.unref();
  await vitest.cancelCurrentRun('keyboard-input');
}

function printVerdict(summary: RunSummary, runDir: string): void {
  const width = Math.max(...summary.scenarios.map((s) => s.name.length), 8);
  const reason = summary.interruptedBy ? ` — interrupted by ${summary.interruptedBy}` : summary.error ? ` — ${summary.error}` : '';
  console.log(`\nverdict: ${summary.status} (exit ${summary.exitCode})${reason}`);
  for (const s of summary.scenarios) {
    const failing = s.status === 'interrupted' ? [] : s.checks.filter((c) => c.valid !== true).map((c) => `${c.name}: ${c.message}`);
    const why = failing.join(' | ') || s.error || '';
    console.log(`  ${s.name.padEnd(width)}  ${s.status.padEnd(11)}  ${why}`);
  }
  const allure = process.env.REDIS_CHAOS_COMMAND ? `${process.env.REDIS_CHAOS_COMMAND} report` : 'npm run report';
  console.log(`report: ${path.relative(process.cwd(), path.join(runDir, 'report.html'))}  (${allure} for Allure)`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A user mistake or a missing tool is one line; anything else is a harness bug worth a stack.
    if (error instanceof HarnessError) console.error(`redis-chaos: ${asCommand(error.message)}`);
    else console.error(`redis-chaos: internal error: ${errorMessage(error)}\n${error instanceof Error ? error.stack : ''}`);
    process.exit(2);
  },
);
