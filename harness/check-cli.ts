// `npm run check -- reports/<runId>`: a recorded run judged again by today's checkers, from what it
// recorded, without running anything, so that a checker change can be tried on old evidence.
// Exit 0 every re-judged scenario passed, 1 a check failed, 2 bad input or a verdict still unknown.
import path from 'node:path';
import { asCommand, parseFlags } from './cli/args.ts';
import { runCommand } from './cli/command.ts';
import { HarnessError } from './errors.ts';
import { recheckLines, recheckRun, RECHECK_CHECKS, RECHECK_SUMMARY } from './report/recheck.ts';
import { dropOutputOnceClosed } from './util/terminate.ts';

dropOutputOnceClosed(); // `| head`: the rest of the output is dropped, the work still finishes

const OPTIONS = { scenario: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } } as const;
const USAGE = `usage: npm run check -- <run folder> [--scenario NAME ...]
  Re-judges a recorded run (reports/<runId>, or reports/latest) with today's checkers, from each
  scenario's evidence.json, history.jsonl and topology.jsonl. Writes ${RECHECK_SUMMARY} beside
  summary.json and ${RECHECK_CHECKS} beside each scenario's checks.json; runs nothing.
  exit 0 all passed, 1 a check failed, 2 bad input or the verdict is unknown`;

async function main(): Promise<number> {
  const parsed = parseFlags(process.argv.slice(2), OPTIONS, 'see npm run check -- --help', true);
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(asCommand(USAGE));
    return 0;
  }
  if (positionals.length !== 1) throw new HarnessError(`${positionals.length ? 'one run folder, not several' : 'a run folder is required'}: npm run check -- reports/<runId> (or reports/latest)`);
  const folder = positionals[0]!;
  const { summary, scenarios } = await recheckRun(path.resolve(folder), { only: values.scenario ?? [], label: folder });
  console.log(`re-check of ${folder} (run ${summary.runId}, started ${summary.startedAt}) with today's checkers: recorded → now`);
  for (const line of recheckLines(scenarios)) console.log(line);
  console.log(`\nre-check: ${summary.status} (exit ${summary.exitCode}); ${path.join(folder, RECHECK_SUMMARY)}, and ${RECHECK_CHECKS} in each re-judged scenario's folder`);
  return summary.exitCode;
}

runCommand('check', main);
