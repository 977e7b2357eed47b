// `npm run compare:wait`: kill-master and partition-master run twice, without and with the app's
// WAIT (--wait-replicas), and their acknowledged writes lost side by side. It reports and asserts
// nothing: Redis documents that WAIT does not make the cluster strongly consistent, so a loss with
// WAIT is a figure, not a failure. Exit 0 the comparison was written, 2 bad input or a run that could not finish.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { integer, parseCliArgs, parseFlags } from './cli/args.ts';
import { fitWaitToShape } from './cli/preflight.ts';
import { loadSystem } from './manifests/index.ts';
import { runCommand } from './cli/command.ts';
import { scenariosArgv } from './cli/entry.ts';
import { HarnessError } from './errors.ts';
import { compareWait, readRecordedRun, waitComparisonHtml, waitComparisonMarkdown } from './report/wait-comparison.ts';
import { scenarioNames } from './scenario/catalog.ts';
import { makeFlagDir } from './util/make-dir.ts';
import { newRunId } from './util/run-id.ts';
import { dropOutputOnceClosed } from './util/terminate.ts';

dropOutputOnceClosed(); // `| head`: the rest of the output is dropped, the work still finishes

const OPTIONS = {
  scenario: { type: 'string', multiple: true },
  'wait-replicas': { type: 'string' },
  'node-timeout': { type: 'string' },
  seed: { type: 'string' },
  'report-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
const DEFAULT_SCENARIOS = ['kill-master', 'partition-master'];
const USAGE = `usage: npm run compare:wait -- [--scenario NAME ...] [--wait-replicas N] [--node-timeout MS] [--seed N] [--report-dir DIR]
  Runs the scenarios (default ${DEFAULT_SCENARIOS.join(', ')}) twice with npm run scenarios, --workload both,
  on the same seed: without WAIT, then with --wait-replicas N (default 1); node timeout default 3000 ms.
  Writes wait-comparison.md, .html and .json in DIR (default reports/compare-wait-<id>): per scenario,
  acknowledged writes, those lost, when the lost ones were acknowledged, and the unacknowledged (info).
  Reports, asserts nothing; the last line of stdout is the comparison as JSON.
  exit 0 written, 2 bad input or a run that could not finish`;

async function main(): Promise<number> {
  const { values } = parseFlags(process.argv.slice(2), OPTIONS, 'see npm run compare:wait -- --help');
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const known = scenarioNames();
  const scenarios = values.scenario ?? DEFAULT_SCENARIOS;
  const unknown = scenarios.find((s) => !known.includes(s));
  if (unknown) throw new HarnessError(`--scenario ${unknown}: unknown scenario; valid: ${known.join(', ')}`);
  const waitReplicas = integer('--wait-replicas', values['wait-replicas'], 1) ?? 1;
  const nodeTimeoutMs = integer('--node-timeout', values['node-timeout'], 1) ?? 3000;
  // One seed for both runs, so the faults' schedule is the same and only WAIT differs.
  const seed = integer('--seed', values.seed, 0) ?? Math.floor(Math.random() * 2 ** 31);
  const common = [...scenarios.flatMap((s) => ['--scenario', s]), '--node-timeout', String(nodeTimeoutMs), '--seed', String(seed), '--workload', 'both'];
  // The with-WAIT run would refuse a count its manifests' shape cannot meet only after the run
  // without WAIT: refused here first, from the same manifests and flags.
  const withWait = parseCliArgs([...common, '--wait-replicas', String(waitReplicas)], process.env, known).options;
  fitWaitToShape(withWait, (await loadSystem(withWait.manifests, withWait)).shape);
  const dir = path.resolve(values['report-dir'] ?? path.join('reports', `compare-wait-${newRunId()}`));
  makeFlagDir(dir, '--report-dir');

  const runs = [];
  for (const [label, extra] of [['without', []], ['with', ['--wait-replicas', String(waitReplicas)]]] as const) {
    const runId = newRunId();
    const reportDir = path.join(dir, label);
    console.log(`${label} WAIT: npm run scenarios -- ${[...common, ...extra].join(' ')} (run ${runId})`);
    // The runs' own progress goes to stderr, so that stdout ends with the comparison alone.
    const r = await execa(process.execPath, scenariosArgv([...common, ...extra, '--report-dir', reportDir]), {
      reject: false, env: { HARNESS_RUN_ID: runId }, extendEnv: true, stdin: 'ignore', stdout: process.stderr, stderr: process.stderr,
    });
    // 1 is a failed check: a finding this comparison reports. Anything else left no verdict to compare.
    if (r.exitCode !== 0 && r.exitCode !== 1) throw new HarnessError(`the run ${label} WAIT did not finish (exit ${r.exitCode ?? r.signal}): see ${path.join(reportDir, runId)}`);
    runs.push(await readRecordedRun(path.join(reportDir, runId)));
  }

  const comparison = compareWait(runs[0]!, runs[1]!, scenarios);
  const markdown = waitComparisonMarkdown(comparison);
  await writeFile(path.join(dir, 'wait-comparison.md'), markdown);
  await writeFile(path.join(dir, 'wait-comparison.html'), waitComparisonHtml(comparison));
  await writeFile(path.join(dir, 'wait-comparison.json'), `${JSON.stringify(comparison, null, 2)}\n`);
  console.log(`\n${markdown}\nwritten: ${path.join(dir, 'wait-comparison.html')}`);
  console.log(JSON.stringify(comparison));
  return 0;
}

runCommand('compare:wait', main);
