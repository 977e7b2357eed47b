// A benchmark's arguments, checked before it starts anything, as every command of the harness checks
// its own: a mistake is one line naming the benchmark and the flag, exit 2, nothing started. Without
// this, a bad flag passed on to `npm run scenarios` failed each of bench:flakes' 20 runs in turn,
// an argument bench:gate ignored started minutes of runs, and a bad --redis-config was a stack trace.
import { parseCliArgs, parseFlags } from '../harness/cli/args.ts';
import { HarnessError } from '../harness/errors.ts';
import { parseRedisOverride, type RedisOverride } from '../harness/manifests/redis-config.ts';
import { scenarioNames } from '../harness/scenario/catalog.ts';

/** `parse()`, or its HarnessError as one line and exit 2. */
export function checked<T>(bench: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof HarnessError)) throw error;
    console.error(`redis-chaos bench:${bench}: ${error.message}`);
    process.exit(2);
  }
}

/** For a benchmark that takes none: its settings are environment variables (see its header). */
export function noFlags(bench: string, argv = process.argv.slice(2)): void {
  checked(bench, () => {
    if (argv.length) throw new HarnessError(`takes no arguments, given ${argv.join(' ')}: its settings, if any, are environment variables (see the top of bench/${bench}.ts)`);
  });
}

/** Flags passed on to every `npm run scenarios` a benchmark starts, checked as that command checks them. */
export function scenarioFlags(bench: string, argv = process.argv.slice(2)): string[] {
  return checked(bench, () => {
    parseCliArgs(argv, process.env, scenarioNames());
    return argv;
  });
}

/** bench:scenarios' one flag, --redis-config KEY=VALUE (repeated), checked as `npm run scenarios` checks it. */
export function redisConfigFlags(bench: string, argv = process.argv.slice(2)): RedisOverride[] {
  return checked(bench, () => {
    const { values } = parseFlags(argv, { 'redis-config': { type: 'string', multiple: true } }, 'valid flags: --redis-config KEY=VALUE, repeated');
    const given = values['redis-config'] ?? [];
    parseCliArgs(given.flatMap((v) => ['--redis-config', v]), {}, scenarioNames());
    return given.map((v) => parseRedisOverride(v, '--redis-config'));
  });
}
