import path from 'node:path';

// What vitest itself reported beside the scenarios' own records. The CLI runs none of vitest's
// console reporters (its terminal carries the harness's lines), so an error vitest caught outside
// any test would otherwise reach no one: above all a scenario's worker process killed outright
// (the OOM killer, a `kill -9`), which takes the scenario's history and verdict with it. Each such
// error is the harness failing to do its job: exit 2, with the reason in the summary.

/** A test file as vitest last saw it: its path and state ('passed', 'failed', 'skipped', 'pending', 'queued'). */
export interface RunnerModule {
  moduleId: string;
  state: string;
}

export interface RunnerFailure {
  /** The run's reason, one line. */
  reason: string;
  /** The scenarios vitest started and never finished, each with why it has no record. */
  lost: Map<string, string>;
}

const FINISHED = new Set(['passed', 'failed', 'skipped']);

const WORKER_DIED = /Worker exited unexpectedly/;

/**
 * vitest's pool reporting a worker process that died. It reaches vitest's unhandledErrors, or, when
 * the worker died in the gap before vitest listens for it (while it started), is thrown at no
 * listener in the CLI's process: the CLI routes that one here too (cli.ts).
 */
export const isWorkerDeath = (error: unknown): boolean => WORKER_DIED.test(errorText(error));

export function runnerFailure(errors: readonly unknown[], modules: readonly RunnerModule[]): RunnerFailure | null {
  if (errors.length === 0) return null;
  const texts = [...new Set(errors.map(errorText))];
  const workerDied = texts.some((t) => WORKER_DIED.test(t));
  const lost = new Map<string, string>();
  if (workerDied) {
    for (const m of modules.filter((x) => !FINISHED.has(x.state))) {
      lost.set(path.basename(m.moduleId).replace(/\.test\.ts$/, ''), 'its vitest worker process died (Worker exited unexpectedly: killed by a signal, or out of memory), taking its history and verdict with it');
    }
  }
  return { reason: `${workerDied ? 'a scenario worker died: ' : ''}vitest: ${texts.join(' | ')}`, lost };
}

/** vitest's pool wraps the worker's error ("Worker forks emitted error.") around the one that says what happened. */
function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : typeof error.cause === 'string' ? error.cause : null;
  const message = error.message.replace(/\.$/, '');
  return cause ? `${message}: ${cause}` : message;
}
