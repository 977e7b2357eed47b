/**
 * One place that turns SIGINT/SIGTERM/SIGHUP into an orderly stop.
 *
 * Two modes. A library user (a benchmark, a test) registers cleanups with `onTerminate`: on the
 * first signal they run newest first, each bounded, then the process exits with 128 + signal.
 * The CLI instead takes ownership with `ownSignals`: the first signal only notifies the
 * `onInterrupt` listeners (abort what is starting, cancel the scenarios) and the owner, who
 * then finishes the run's record, tears down in order and exits itself.
 *
 * A terminal's Ctrl-C reaches the whole process group, and npm forwards one more copy to its
 * child: signals within REPEAT_WINDOW_MS of the first are that same press. A later one is the
 * user's second press and exits at once (the platforms' exit hooks still SIGKILL their pods).
 */
import { settledWithin } from './wait.ts';

type Cleanup = (signal: NodeJS.Signals) => Promise<void> | void;

// One registry per process, not per module instance: vitest loads globalSetup through its own
// module runner, so this file can be evaluated twice in the CLI's process, and two registries
// would each exit the process before the other's cleanups ran.
interface Registry {
  cleanups: Set<Cleanup>;
  interruptListeners: Set<Cleanup>;
  owner: Cleanup | null;
  listeners: Map<NodeJS.Signals, () => void>;
  installed: boolean;
  interruptedBy: NodeJS.Signals | null;
  firstAt: number;
}
const KEY = Symbol.for('redis-chaos.terminate');
const registry: Registry = ((globalThis as Record<symbol, Registry | undefined>)[KEY] ??= {
  cleanups: new Set(), interruptListeners: new Set(), owner: null, listeners: new Map(), installed: false, interruptedBy: null, firstAt: 0,
});

export const SIGNAL_NUMBERS: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGPIPE: 13 };
// The signals listened for. SIGPIPE is not among them: Node ignores it, and a closed output shows
// as a failed write instead (see stopOnClosedOutput).
const LISTENED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const PER_CLEANUP_MS = 60_000;
export const REPEAT_WINDOW_MS = 1000;

export const exitCodeOf = (signal: NodeJS.Signals) => 128 + (SIGNAL_NUMBERS[signal] ?? 0);

export function onTerminate(cleanup: Cleanup): () => void {
  registry.cleanups.add(cleanup);
  install();
  return () => {
    registry.cleanups.delete(cleanup);
    // With nothing left to clean up, a signal should do what it would have done without us.
    if (registry.cleanups.size === 0 && !registry.owner && !registry.interruptedBy) uninstall();
  };
}

/** Called once, at the first signal, in either mode: for what must stop at once (a session starting). */
export function onInterrupt(listener: Cleanup): () => void {
  registry.interruptListeners.add(listener);
  if (registry.interruptedBy) void listener(registry.interruptedBy);
  return () => registry.interruptListeners.delete(listener);
}

/** The CLI's mode: the owner is told of the first signal and exits the process itself. */
export function ownSignals(owner: Cleanup): void {
  registry.owner = owner;
  install();
}

/** The signal that interrupted this process, or null. */
export function interruptedBy(): NodeJS.Signals | null {
  return registry.interruptedBy;
}

/** When the first signal came (ms since the epoch), or null. */
export function interruptedAt(): number | null {
  return registry.interruptedBy ? registry.firstAt : null;
}

export function isTerminating(): boolean {
  return registry.interruptedBy !== null;
}

function install(): void {
  if (registry.installed) return;
  registry.installed = true;
  for (const signal of LISTENED) {
    const listener = () => void handle(signal);
    registry.listeners.set(signal, listener);
    process.on(signal, listener);
  }
}

/**
 * A closed stdout or stderr (`| head`, a reader that died) is this process's SIGPIPE. Node ignores
 * the signal and fails the next write with EPIPE, an 'error' event that, unheard, crashes the
 * process past its teardown: pods, namespaces and mounts left for the sweeper, and a stack trace.
 * `listener` hears the first such error; later ones (the stop's own lines to a closed stream) are
 * dropped.
 */
export function onClosedOutput(listener: () => void): void {
  let closed = false;
  const onError = () => {
    if (closed) return;
    closed = true;
    listener();
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}

/**
 * For the signals' owner: a closed output stops the run in order, as a hang-up does (exit 141).
 * One that closes during a stop already under way (a closed terminal's SIGHUP, then its writes
 * failing) is that stop's, not a second press that would exit before the teardown.
 */
export function stopOnClosedOutput(): void {
  onClosedOutput(() => {
    if (!registry.interruptedBy) void handle('SIGPIPE');
  });
}

/**
 * For a command that holds nothing to tear down (advise, check, init, report): once its output is
 * closed, its remaining lines are dropped and its work (the files it writes, its scratch folder's
 * removal) finishes, with its own exit code, instead of a crash with a stack trace half-way.
 */
export function dropOutputOnceClosed(): void {
  onClosedOutput(() => undefined);
}

function uninstall(): void {
  for (const [signal, listener] of registry.listeners) process.off(signal, listener);
  registry.listeners.clear();
  registry.installed = false;
}

async function handle(signal: NodeJS.Signals): Promise<void> {
  if (registry.interruptedBy) {
    if (Date.now() - registry.firstAt < REPEAT_WINDOW_MS) return; // the same press, forwarded
    process.stderr.write(`\n${signal} again: exiting now\n`);
    process.exit(exitCodeOf(registry.interruptedBy));
  }
  registry.interruptedBy = signal;
  registry.firstAt = Date.now();
  for (const listener of registry.interruptListeners) await bounded(listener, signal);
  if (registry.owner) {
    await registry.owner(signal);
    return;
  }
  process.stderr.write(`\n${signal}: tearing down (send it again to exit at once)\n`);
  for (const cleanup of [...registry.cleanups].reverse()) await bounded(cleanup, signal);
  process.exit(exitCodeOf(signal));
}

async function bounded(cleanup: Cleanup, signal: NodeJS.Signals): Promise<void> {
  try {
    await settledWithin(Promise.resolve(cleanup(signal)), PER_CLEANUP_MS);
  } catch (error) {
    process.stderr.write(`teardown error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

/** For an owner whose orderly stop ran out of time: the library-mode cleanups, newest first. */
export async function runTerminateCleanups(signal: NodeJS.Signals): Promise<void> {
  for (const cleanup of [...registry.cleanups].reverse()) await bounded(cleanup, signal);
}
