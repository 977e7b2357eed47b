/**
 * One place that turns SIGINT/SIGTERM/SIGHUP into an orderly teardown. Cleanups run newest
 * first (the platform before the report writer that was registered before it), each bounded,
 * then the process exits with 128 + signal number. A second signal exits at once.
 */
type Cleanup = (signal: NodeJS.Signals) => Promise<void> | void;

// One registry per process, not per module instance: vitest loads globalSetup through its own
// module runner, so this file can be evaluated twice in the CLI's process, and two registries
// would each exit the process before the other's cleanups ran.
interface Registry {
  cleanups: Set<Cleanup>;
  listeners: Map<NodeJS.Signals, () => void>;
  installed: boolean;
  terminating: boolean;
}
const KEY = Symbol.for('redis-chaos.terminate');
const registry: Registry = ((globalThis as Record<symbol, Registry | undefined>)[KEY] ??= {
  cleanups: new Set(), listeners: new Map(), installed: false, terminating: false,
});
const { cleanups, listeners } = registry;

const SIGNALS: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
const PER_CLEANUP_MS = 60_000;

export function onTerminate(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    // With nothing left to clean up, a signal should do what it would have done without us.
    if (cleanups.size === 0 && !registry.terminating) uninstall();
  };
}

export function isTerminating(): boolean {
  return registry.terminating;
}

function install(): void {
  if (registry.installed) return;
  registry.installed = true;
  for (const signal of Object.keys(SIGNALS) as NodeJS.Signals[]) {
    const listener = () => void handle(signal);
    listeners.set(signal, listener);
    process.on(signal, listener);
  }
}

function uninstall(): void {
  for (const [signal, listener] of listeners) process.off(signal, listener);
  listeners.clear();
  registry.installed = false;
}

async function handle(signal: NodeJS.Signals): Promise<void> {
  if (registry.terminating) {
    process.exit(128 + (SIGNALS[signal] ?? 0));
  }
  registry.terminating = true;
  process.stderr.write(`\n${signal}: tearing down (send it again to exit at once)\n`);
  for (const cleanup of [...cleanups].reverse()) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        cleanup(signal),
        new Promise((resolve) => {
          timer = setTimeout(resolve, PER_CLEANUP_MS);
        }),
      ]);
    } catch (error) {
      process.stderr.write(`teardown error: ${error instanceof Error ? error.message : String(error)}\n`);
    } finally {
      clearTimeout(timer);
    }
  }
  process.exit(128 + (SIGNALS[signal] ?? 0));
}
