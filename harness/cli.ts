// `npm run scenarios`: validate, run the scenario files with vitest, exit 0 pass / 1 check failed / 2 harness error.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createVitest } from 'vitest/node';
import { parseCliArgs, USAGE } from './cli/args.ts';
import { preflight } from './cli/preflight.ts';
import { errorMessage, HarnessError } from './errors.ts';
import type { RunSummary } from './report/summary.ts';
import { scenarioNames } from './scenario/catalog.ts';
import { optionsToEnv, runDirOf } from './session/options.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

async function main(): Promise<number> {
  const known = scenarioNames();
  const { options, help, sweep } = parseCliArgs(process.argv.slice(2), process.env, known);
  if (help) {
    console.log(`${USAGE}\nscenarios: ${known.join(', ')}`);
    return 0;
  }
  if (sweep) {
    const { sweep: sweepAll } = await import('./cli/sweep.ts');
    return sweepAll(options);
  }
  await preflight(options);
  Object.assign(process.env, optionsToEnv(options));
  const runDir = runDirOf(options);
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const vitest = await createVitest('test', {
    root,
    project: 'scenarios',
    watch: false,
    reporters: [
      'default',
      ['junit', { outputFile: path.join(runDir, 'junit.xml') }],
      ['allure-vitest/reporter', { resultsDir: path.join(runDir, 'allure-results') }],
    ],
  });
  // Vitest exits 1 ms after a SIGINT; the harness must first tear down and write the report
  // (harness/util/terminate.ts does, then exits 130), so vitest's own signal listeners go.
  for (const s of SIGNALS) for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.off(s, l as () => void);
  try {
    await vitest.start(options.scenarios.map((s) => `scenarios/${s}.test.ts`));
  } finally {
    await vitest.close();
  }
  const summary = await readFile(path.join(runDir, 'summary.json'), 'utf8').then((t) => JSON.parse(t) as RunSummary).catch(() => null);
  if (!summary) throw new HarnessError(`no summary.json was written in ${runDir}: the run did not complete`);
  printVerdict(summary, runDir);
  return summary.exitCode;
}

function printVerdict(summary: RunSummary, runDir: string): void {
  const width = Math.max(...summary.scenarios.map((s) => s.name.length), 8);
  console.log(`\nverdict: ${summary.status} (exit ${summary.exitCode})${summary.error ? ` — ${summary.error}` : ''}`);
  for (const s of summary.scenarios) {
    const why = s.checks.filter((c) => c.valid !== true).map((c) => `${c.name}: ${c.message}`).join(' | ') || s.error || '';
    console.log(`  ${s.name.padEnd(width)}  ${s.status.padEnd(6)}  ${why}`);
  }
  console.log(`report: ${path.relative(process.cwd(), path.join(runDir, 'report.html'))}  (npm run report for Allure)`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A user mistake or a missing tool is one line; anything else is a harness bug worth a stack.
    if (error instanceof HarnessError) console.error(`redis-chaos: ${error.message}`);
    else console.error(`redis-chaos: internal error: ${errorMessage(error)}\n${error instanceof Error ? error.stack : ''}`);
    process.exit(2);
  },
);
