import { fileURLToPath } from 'node:url';

const SCENARIOS_ENTRY = fileURLToPath(new URL('../cli.mjs', import.meta.url));

/**
 * The scenarios' command as node's arguments: `node harness/cli.mjs …`, what `npm run scenarios`
 * runs, for the commands that start runs of their own (the gate, exploration, benchmarks, tests).
 * cli.mjs loads vitest first, then its CLI (bundled, or under tsx), itself: no `--import tsx`.
 */
export function scenariosArgv(args: string[]): string[] {
  return [SCENARIOS_ENTRY, ...args];
}
