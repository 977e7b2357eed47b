#!/usr/bin/env node
// `redis-chaos <command>`: the package's command, from any project's root (npx redis-chaos …).
// The harness is TypeScript run by tsx, as in its own clone (`node --import tsx harness/cli.ts`):
// each command re-executes Node with tsx's loader, resolved from this package (not from the
// working directory, where a project may have no tsx), and the package's own tsconfig; the
// scenarios' entry (harness/cli.mjs) loads its CLI itself, bundled by esbuild into this package's
// node_modules/.cache (or under tsx from this package when that cannot be written). Paths on
// the command line stay relative to the working directory; the scenarios, the app and the seed's
// manifests are read from this package.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const COMMANDS = {
  scenarios: ['harness/cli.mjs', 'run the fault scenarios on a manifest set (--manifests DIR, default ./manifests)'],
  gate: ['harness/gate-cli.ts', 'compare a baseline and a candidate manifest set (folders or git refs of this repository)'],
  advise: ['harness/advise-cli.ts', 'the risks the scenarios can prove, read off the manifests alone'],
  check: ['harness/check-cli.ts', 're-judge a recorded run with today\'s checkers'],
  init: ['harness/init-cli.ts', 'write the seed\'s manifests and a starting GitHub workflow into this repository'],
  report: ['harness/report/allure-cli.ts', 'a run (default reports/latest) as an Allure report, one self-contained HTML file'],
  summary: ['harness/report/summary-markdown.ts', 'a run\'s verdict as Markdown, for a job summary (default reports/latest)'],
  setup: ['scripts/setup.sh', 'install the system packages the local platform needs (redis-server, …) with apt-get'],
};
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const usage = `redis-chaos ${version}: a chaos harness for Redis Cluster on Kubernetes

usage: redis-chaos <command> [flags]   (redis-chaos <command> --help for its flags)

commands:
${Object.entries(COMMANDS).map(([name, [, what]]) => `  ${name.padEnd(10)} ${what}`).join('\n')}

Relative paths are relative to the working directory; reports go to ./reports.
exit 0 passed, 1 a check failed (or a regression, or a risk), 2 the harness could not do its job`;

const [command, ...args] = process.argv.slice(2);
if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  console.log(usage);
  process.exit(0);
}
if (command === '--version' || command === '-v') {
  console.log(version);
  process.exit(0);
}
const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command][0] : null;
if (!entry) {
  console.error(`redis-chaos: unknown command ${command}; valid: ${Object.keys(COMMANDS).join(', ')} (redis-chaos --help)`);
  process.exit(2);
}

const file = fileURLToPath(new URL(`../${entry}`, import.meta.url));
// A .mjs entry loads its TypeScript itself, after what it loads first (harness/cli.mjs: vitest).
const argv = entry.endsWith('.sh') ? ['bash', [file, ...args]]
  : entry.endsWith('.mjs') ? [process.execPath, [file, ...args]]
  : [process.execPath, ['--import', import.meta.resolve('tsx'), file, ...args]];
const child = spawn(argv[0], argv[1], {
  stdio: 'inherit',
  // REDIS_CHAOS_COMMAND: the harness's hints name `redis-chaos report`, not the clone's npm scripts.
  // TSX_DISABLE_CACHE: tsx would keep its transforms in $TMPDIR/tsx-<uid>, outside anything a
  // command names, and left there after it; without them a command starts about 0.1 s later.
  env: { ...process.env, TSX_TSCONFIG_PATH: fileURLToPath(new URL('../tsconfig.json', import.meta.url)), TSX_DISABLE_CACHE: '1', REDIS_CHAOS_COMMAND: 'redis-chaos' },
});
// The harness handles Ctrl-C and SIGTERM itself (it records, tears down, then exits 130/143):
// this process only passes them on (a terminal's Ctrl-C reaches both; the harness counts signals
// within a second as one press) and waits for it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGTERM' ? 143 : signal === 'SIGINT' ? 130 : 2)));
child.on('error', (error) => {
  console.error(`redis-chaos: cannot start ${argv[0]} for ${command}: ${error.message}`);
  process.exit(2);
});
