import { errorMessage, HarnessError } from '../errors.ts';
import { settledWithin } from '../util/wait.ts';
import { asCommand } from './args.ts';

/**
 * A command's entry point (gate, explore, check, advise, init, compare:wait): the process ends with
 * main's code. A HarnessError (bad input, a missing tool) is one line; anything else is a harness
 * bug, printed with its stack; both exit 2. So is an error nothing awaited (an unhandled rejection,
 * an uncaught exception): left to Node, the process would exit 1, the code every command here
 * keeps for its verdict (a failed check, a regression, a failing schedule). The runs a command
 * started get SIGTERM as it exits (execa's cleanup), and stop in order. `npm run scenarios`
 * (harness/cli.ts) records such an error in its run instead, since it owns the run's platforms.
 *
 * `drain`: set the exit code and let the process end once its output is written (advise prints
 * long reports), instead of exiting at once.
 *
 * `onInternalError`: lets a command that keeps a record (the gate's gate.json) say in it why it
 * stopped, before the process exits 2; given at most RECORD_WAIT_MS, and its own failure ignored.
 */
export function runCommand(name: string, main: () => Promise<number>, { drain = false, onInternalError }: { drain?: boolean; onInternalError?: (why: string) => Promise<void> } = {}): void {
  const prefix = `redis-chaos ${name}:`;
  const end = (code: number) => (drain ? void (process.exitCode = code) : process.exit(code));
  let crashing = false;
  const internal = async (error: unknown) => {
    console.error(`${prefix} internal error: ${errorMessage(error)}\n${error instanceof Error ? error.stack : ''}`);
    // A second error while the first is recorded is printed, not recorded over it.
    if (crashing || !onInternalError) return;
    crashing = true;
    await settledWithin(onInternalError(`internal error: ${errorMessage(error)}`).catch(() => undefined), RECORD_WAIT_MS);
  };
  const unexpected = (error: unknown) => {
    const first = !crashing;
    void internal(error).finally(() => first && process.exit(2));
  };
  process.on('unhandledRejection', unexpected);
  process.on('uncaughtException', unexpected);
  main().then(end, async (error: unknown) => {
    if (error instanceof HarnessError) console.error(`${prefix} ${asCommand(error.message)}`);
    else await internal(error);
    end(2);
  });
}

/** How long a crashing command waits for its record to be written. */
const RECORD_WAIT_MS = 5_000;
