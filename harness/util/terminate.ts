/**
 * One place that turns SIGINT/SIGTERM/SIGHUP into an orderly teardown. Cleanups run newest
 * first (the platform before the report writer that was registered before it), each bounded,
 * then the process exits with 128 + signal number. A second signal exits at once.
 */
type Cleanup = (signal: NodeJS.Signals) => Promise<void> | void;

const cleanups = new Set<Cleanup>();
let installed = false;
let terminating = false;

const SIGNALS: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
const PER_CLEANUP_MS = 60_000;

export function onTerminate(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  install();
  return () => {
    cleanups.delete(cleanup);
    // With nothing left to clean up, a signal should do what it would have done without us.
    if (cleanups.size === 0 && !terminating) uninstall();
  };
}

export function isTerminating(): boolean {
  return terminating;
}

const listeners = new Map<NodeJS.Signals, () => void>();

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(SIGNALS) as NodeJS.Signals[]) {
    const listener = () => void handle(signal);
    listeners.set(signal, listener);
    process.on(signal, listener);
  }
}

function uninstall(): void {
  for (const [signal, listener] of listeners) process.off(signal, listener);
  listeners.clear();
  installed = false;
}

async function handle(signal: NodeJS.Signals): Promise<void> {
  if (terminating) {
    process.exit(128 + (SIGNALS[signal] ?? 0));
  }
  terminating = true;
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
