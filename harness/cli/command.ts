import { errorMessage, HarnessError } from '../errors.ts';
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
 */
export function runCommand(name: string, main: () => Promise<number>, { drain = false }: { drain?: boolean } = {}): void {
  const prefix = `redis-chaos ${name}:`;
  const end = (code: number) => (drain ? void (process.exitCode = code) : process.exit(code));
  const internal = (error: unknown) => console.error(`${prefix} internal error: ${errorMessage(error)}\n${error instanceof Error ? error.stack : ''}`);
  const unexpected = (error: unknown) => {
    internal(error);
    process.exit(2);
  };
  process.on('unhandledRejection', unexpected);
  process.on('uncaughtException', unexpected);
  main().then(end, (error: unknown) => {
    if (error instanceof HarnessError) console.error(`${prefix} ${asCommand(error.message)}`);
    else internal(error);
    end(2);
  });
}
