/**
 * The harness distinguishes three outcomes (see the exit codes in cli.ts): the system under test
 * misbehaved (a checker said false, exit 1), or the harness could not do its job (exit 2).
 * HarnessError is the second kind: its message is one line meant for a person, shown without a stack.
 */
export class HarnessError extends Error {
  readonly exitCode = 2 as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
  }
}

/** The run was interrupted (Ctrl-C, SIGTERM) before this could happen: not a failure of anything. */
export class InterruptedError extends HarnessError {
  constructor(message: string) {
    super(message);
    this.name = 'InterruptedError';
  }
}

/** A tool the chosen platform needs is not installed. */
export class PrerequisiteError extends HarnessError {
  constructor(message: string) {
    super(message);
    this.name = 'PrerequisiteError';
  }
}

/** A manifest file is unreadable or invalid; the message names the file and document index. */
export class ManifestError extends HarnessError {
  constructor(
    readonly file: string,
    readonly documentIndex: number | null,
    problem: string,
  ) {
    super(`${file}${documentIndex === null ? '' : ` (document ${documentIndex})`}: ${problem}`);
    this.name = 'ManifestError';
  }
}

/** A bounded wait ran out; `lastState` is whatever the probe saw last (e.g. a topology). */
export class WaitTimeoutError extends HarnessError {
  constructor(
    message: string,
    readonly lastState: unknown,
  ) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
