import { errorMessage } from '../errors.ts';

/**
 * A stack of undo actions, the way testcontainers and Playwright fixtures tear down:
 * in reverse order of start, continuing past errors, and idempotent.
 */
export class Teardown {
  private readonly steps: { name: string; run: () => Promise<void> | void }[] = [];
  private running: Promise<Error[]> | null = null;

  defer(name: string, run: () => Promise<void> | void): void {
    this.steps.push({ name, run });
  }

  /** For a `down()`: runs every step, then rejects with all their errors together, if any. */
  async runOrThrow(what: string): Promise<void> {
    const errors = await this.run();
    if (errors.length > 0) throw new AggregateError(errors, `${what} teardown: ${errors.map((e) => e.message).join('; ')}`);
  }

  /** Runs every deferred step once, newest first. Returns the errors; never throws. */
  run(): Promise<Error[]> {
    this.running ??= (async () => {
      const errors: Error[] = [];
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await step.run();
        } catch (error) {
          errors.push(new Error(`teardown "${step.name}": ${errorMessage(error)}`, { cause: error }));
        }
      }
      return errors;
    })();
    return this.running;
  }
}

/**
 * Runs `start` with a Teardown; if start throws, everything it deferred is undone and the
 * first error is rethrown, so a failed up() leaves nothing behind.
 */
export async function startOrUndo<T>(start: (teardown: Teardown) => Promise<T>): Promise<{ value: T; teardown: Teardown }> {
  const teardown = new Teardown();
  try {
    return { value: await start(teardown), teardown };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}
