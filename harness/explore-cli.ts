// `npm run explore`: random fault schedules from a seed, each run under load and judged by every
// check, until one fails; then the smallest schedule that still fails, and the command to replay it.
// Exit 0 nothing found within the runs and budget, 1 a failing schedule found, 2 the harness could not.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { durationMs, integer, parseFlags } from './cli/args.ts';
import { runCommand } from './cli/command.ts';
import { HarnessError } from './errors.ts';
import { generatePlan, runSeed } from './explore/generate.ts';
import { describePlan, NETWORK, PLAN_FAULTS, type Plan, type PlanFault } from './explore/plan.ts';
import { runPlan, type PlanRun } from './explore/runner.ts';
import { judgeRepeatedly, shrink } from './explore/shrink.ts';
import { loadSystem } from './manifests/index.ts';
import { makeFlagDir } from './util/make-dir.ts';
import { newRunId } from './util/run-id.ts';
import { exitCodeOf, onClosedOutput } from './util/terminate.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const PASSTHROUGH = ['manifests', 'statefulset', 'node-timeout', 'platform', 'isolation', 'nodes', 'zones', 'context', 'allow-context'] as const;
const OPTIONS = {
  seed: { type: 'string' }, runs: { type: 'string' }, budget: { type: 'string' }, faults: { type: 'string', multiple: true },
  'max-steps': { type: 'string' }, 'shrink-candidates': { type: 'string' }, 'report-dir': { type: 'string' }, 'redis-config': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
  ...Object.fromEntries(PASSTHROUGH.map((k) => [k, { type: 'string' }])) as Record<(typeof PASSTHROUGH)[number], { type: 'string' }>,
} as const;
const DEFAULT_FAULTS: PlanFault[] = ['kill', 'crash', 'pause', 'delete'];
const USAGE = `usage: npm run explore -- [--seed N] [--runs N] [--budget 30m] [--faults kill,pause,...] [--max-steps N]
                       [--shrink-candidates N] [--report-dir DIR] and, passed to each run: [--manifests DIR] [--statefulset NAME] [--node-timeout MS]
                       [--platform P] [--isolation I] [--nodes N] [--zones N] [--redis-config K=V ...] [--context C] [--allow-context C]
faults: ${PLAN_FAULTS.join(', ')} (default ${DEFAULT_FAULTS.join(',')})`;

async function main(): Promise<number> {
  const { values } = parseFlags(process.argv.slice(2), OPTIONS, 'see npm run explore -- --help');
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const seed = integer('--seed', values.seed, 0) ?? Math.floor(Math.random() * 2 ** 31);
  const runs = integer('--runs', values.runs, 1) ?? 10;
  const budgetMs = durationMs(values.budget ?? '30m');
  const maxSteps = integer('--max-steps', values['max-steps'], 1) ?? 3;
  const maxCandidates = integer('--shrink-candidates', values['shrink-candidates'], 0) ?? 12;
  const faults = (values.faults ?? [DEFAULT_FAULTS.join(',')]).flatMap((f) => f.split(',')).filter(Boolean);
  const unknown = faults.find((f) => !PLAN_FAULTS.includes(f as PlanFault));
  if (unknown) throw new HarnessError(`--faults ${unknown}: unknown fault; valid: ${PLAN_FAULTS.join(', ')}`);
  if (values.isolation === 'processes' && faults.some((f) => NETWORK.includes(f as PlanFault))) throw new HarnessError('--faults partition/delay need --isolation namespaces');
  const manifests = path.resolve(values.manifests ?? 'manifests');
  const system = await loadSystem(manifests, { statefulSet: values.statefulset ?? null });
  const nodeTimeoutMs = integer('--node-timeout', values['node-timeout'], 1) ?? system.redis.nodeTimeoutMs;
  const passthrough = [
    ...PASSTHROUGH.flatMap((k) => (values[k] === undefined ? [] : [`--${k}`, k === 'manifests' ? manifests : values[k]!])),
    ...(values['redis-config'] ?? []).flatMap((c) => ['--redis-config', c]),
  ];

  const id = `explore-${newRunId()}`;
  const dir = path.resolve(values['report-dir'] ?? path.join(root, 'reports'), id);
  makeFlagDir(dir, '--report-dir');
  const started = Date.now();
  const clock = () => { const s = Math.round((Date.now() - started) / 1000); return `[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}]`; };
  // Ctrl-C, SIGTERM or a closed output: the running child is told (SIGTERM; a terminal's Ctrl-C reaches it anyway),
  // records and tears down; nothing new starts; the record so far is written.
  const cancel = new AbortController();
  let interrupted: NodeJS.Signals | null = null;
  const stop = (s: NodeJS.Signals) => { interrupted ??= s; cancel.abort(new Error(s)); };
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => stop(s));
  onClosedOutput(() => stop('SIGPIPE')); // `| head`: the same orderly stop, exit 141

  const overBudget = () => Date.now() - started > budgetMs;
  const stopped = () => cancel.signal.aborted || overBudget();
  console.log(`${clock()} explore ${id}: seed ${seed}, up to ${runs} runs within ${values.budget ?? '30m'}; faults ${faults.join(', ')}, up to ${maxSteps} at once; node timeout ${nodeTimeoutMs} ms; reports in ${dir}`);

  const record: ExploreRecord = { id, seed, faults, maxSteps, nodeTimeoutMs, budgetMs, passthrough, runs: [], unconfirmed: [], found: null, shrink: null, minimal: null, interruptedBy: null };
  const save = () => writeFile(path.join(dir, 'explore.json'), `${JSON.stringify(record, null, 2)}\n`);
  const play = async (plan: Plan, label: string): Promise<PlanRun> => {
    const run = await runPlan(plan, { root, dir, seed, passthrough, signal: cancel.signal });
    record.runs.push({ label, plan, ...run });
    console.log(`${clock()} ${label}: ${describePlan(plan)} → ${run.outcome === 'pass' ? 'passed' : run.outcome === 'fail' ? `FAILED: ${run.why}` : `could not judge: ${run.why}`} (${run.runId}, ${Math.round(run.durationMs / 1000)} s)`);
    await save();
    return run;
  };
  const failsRepeatedly = async (plan: Plan, label: string, first?: PlanRun) => {
    const { fails } = await judgeRepeatedly(async (attempt) => (attempt === 1 && first ? first.outcome : stopped() ? 'error' : (await play(plan, `${label}, try ${attempt}`)).outcome));
    return fails;
  };

  for (let i = 0; i < runs && !stopped(); i++) {
    const plan = generatePlan(runSeed(seed, i), { faults: faults as PlanFault[], maxSteps, nodeTimeoutMs });
    const first = await play(plan, `run ${i + 1}/${runs}`);
    if (first.outcome !== 'fail') continue;
    if (!(await failsRepeatedly(plan, `run ${i + 1} again`, first))) {
      // Not enough to act on, but not nothing: a real anomaly that shows one time in three looks
      // like this too. Kept, and listed at the end with its runs, for a person to read.
      const runIds = record.runs.filter((r) => r.plan === plan).map((r) => r.runId);
      record.unconfirmed.push({ run: i + 1, plan, why: first.why, runIds });
      // With the budget spent, the retries never ran: "did not fail again" would claim runs that were not made.
      console.log(runIds.length > 1
        ? `${clock()} run ${i + 1}: did not fail again in 2 of 3: not confirmed, exploring on (listed at the end)`
        : `${clock()} run ${i + 1}: not run again (${cancel.signal.aborted ? 'interrupted' : 'the budget is spent'}): not confirmed (listed at the end)`);
      continue;
    }
    record.found = { run: i + 1, plan, atMs: Date.now() - started };
    console.log(`${clock()} run ${i + 1} fails in 2 of 3 runs: shrinking it (at most ${maxCandidates} candidates)`);
    let n = 0;
    const shrunk = await shrink(plan, (candidate) => failsRepeatedly(candidate, `shrink ${++n}`), {
      maxCandidates, signal: AbortSignal.any([cancel.signal, AbortSignal.timeout(Math.max(1, budgetMs - (Date.now() - started)))]),
      onCandidate: (c, failed) => console.log(`${clock()} shrink ${n}: ${failed ? 'still fails' : 'passes'}: ${describePlan(c)}`),
    });
    record.shrink = { candidates: shrunk.candidates, minimal: shrunk.minimal, atMs: Date.now() - started };
    record.minimal = shrunk.plan;
    break;
  }
  record.interruptedBy = interrupted;
  await save();

  const judged = record.runs.filter((r) => r.outcome !== 'error').length;
  console.log('');
  if (record.minimal) {
    const file = path.join(dir, 'minimal-schedule.json');
    await writeFile(file, `${JSON.stringify(record.minimal, null, 2)}\n`);
    console.log(`explore: a failing schedule in run ${record.found!.run} after ${secs(record.found!.atMs)}; shrunk to ${record.minimal.steps.length} step(s) after ${secs(record.shrink!.atMs)} (${record.shrink!.candidates} candidates${record.shrink!.minimal ? ', none smaller fails' : interrupted ? `, interrupted by ${interrupted}` : ', stopped by its bound'})`);
    console.log(`minimal: ${describePlan(record.minimal)}`);
    console.log(`replay:  npm run scenarios -- --schedule ${path.relative(process.cwd(), file)} --seed ${seed}${passthrough.length ? ` ${passthrough.map((a) => (a === manifests ? path.relative(process.cwd(), a) || '.' : a)).join(' ')}` : ''}`);
  } else {
    console.log(`explore: no failing schedule in ${record.runs.length} run(s) (${judged} judged) within ${secs(Date.now() - started)}${interrupted ? `; interrupted by ${interrupted}` : ''}`);
  }
  for (const u of record.unconfirmed) console.log(`not confirmed (failed 1 of ${u.runIds.length}): run ${u.run}: ${describePlan(u.plan)}: ${u.why.slice(0, 300)} (runs ${u.runIds.join(', ')})`);
  console.log(`record:  ${path.relative(process.cwd(), path.join(dir, 'explore.json'))}`);
  if (interrupted) return exitCodeOf(interrupted);
  if (record.minimal) return 1;
  return judged === 0 ? 2 : 0;
}

interface ExploreRecord {
  id: string;
  seed: number;
  faults: string[];
  maxSteps: number;
  nodeTimeoutMs: number;
  budgetMs: number;
  passthrough: string[];
  runs: ({ label: string; plan: Plan } & PlanRun)[];
  /** Schedules that failed once but not in 2 of 3 runs. */
  unconfirmed: { run: number; plan: Plan; why: string; runIds: string[] }[];
  found: { run: number; plan: Plan; atMs: number } | null;
  shrink: { candidates: number; minimal: boolean; atMs: number } | null;
  minimal: Plan | null;
  interruptedBy: NodeJS.Signals | null;
}

const secs = (ms: number) => `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

runCommand('explore', main);
