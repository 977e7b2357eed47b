// `npm run gate`: the same scenarios, seeds and fault schedules on a baseline and a candidate
// manifest set, interleaved, compared figure by figure. Exit 0 no regression, 1 a regression,
// 2 the harness could not do its job.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { adviceConsole, compareAdvice } from './advise/gate-section.ts';
import { asCommand, integer, parseFlags } from './cli/args.ts';
import { runCommand } from './cli/command.ts';
import { scenariosArgv } from './cli/entry.ts';
import { errorMessage, HarnessError } from './errors.ts';
import { compareScenario, DEFAULT_THRESHOLDS, parseThresholds, type Thresholds } from './gate/compare.ts';
import { DEFAULT_REPEAT } from './gate/counts.ts';
import { assertDistinct, gitTopLevel, resolveSide, type ManifestSide, type RepoRefs } from './gate/inputs.ts';
import { gateSummaryLines, writeGateReports, type GateResult } from './gate/report.ts';
import type { RunSummary } from './report/summary.ts';
import type { ScenarioResult } from './scenario/result.ts';
import { makeFlagDir } from './util/make-dir.ts';
import { newRunId } from './util/run-id.ts';
import { exitCodeOf, onClosedOutput, ownSignals } from './util/terminate.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const OPTIONS = {
  baseline: { type: 'string' }, candidate: { type: 'string' }, scenario: { type: 'string', multiple: true }, repeat: { type: 'string' },
  seed: { type: 'string' }, platform: { type: 'string' }, 'report-dir': { type: 'string' }, thresholds: { type: 'string' }, help: { type: 'boolean', short: 'h' },
  context: { type: 'string' }, 'allow-context': { type: 'string' }, 'node-timeout': { type: 'string' }, statefulset: { type: 'string' }, manifests: { type: 'string' },
  serial: { type: 'boolean' },
} as const;
const USAGE = `usage: npm run gate -- --baseline <dir|git-ref> --candidate <dir|git-ref> [--manifests DIR (default manifests)]
                    [--scenario NAME|GLOB ...] [--repeat N (default ${DEFAULT_REPEAT})]
                    [--seed N] [--platform local|kind|kubernetes] [--report-dir DIR] [--thresholds FILE]
                    [--context NAME] [--allow-context NAME] [--node-timeout MS] [--statefulset NAME (both sides)]
                    [--serial (the baseline's run, then the candidate's; default both at once)]
A git ref is read in the repository the command is started in: its DIR folder (relative to the
working directory) at that commit. Relative folders and --report-dir (default ./reports) are
relative to the working directory.
env twins: HARNESS_CONTEXT HARNESS_ALLOW_CONTEXT`;

async function main(): Promise<number> {
  const { values } = parseFlags(process.argv.slice(2), OPTIONS, 'see npm run gate -- --help');
  if (values.help) {
    console.log(asCommand(USAGE));
    return 0;
  }
  if (!values.baseline || !values.candidate) throw new HarnessError('--baseline and --candidate are both required; see npm run gate -- --help');
  const repeat = integer('--repeat', values.repeat, 1) ?? DEFAULT_REPEAT;
  integer('--node-timeout', values['node-timeout'], 1);
  // On a cluster, the guard speaks before anything runs: the same context and permission for both sides.
  const context = values.context ?? process.env.HARNESS_CONTEXT ?? null;
  const allowContext = values['allow-context'] ?? process.env.HARNESS_ALLOW_CONTEXT ?? null;
  if (values.platform === 'kubernetes') {
    const { checkKubernetesTarget } = await import('./platform/kubernetes/guard.ts');
    await checkKubernetesTarget({ context, allowContext });
  }
  const seed = integer('--seed', values.seed, 1) ?? Math.floor(Math.random() * 2 ** 31);
  const thresholds: Thresholds = values.thresholds
    ? await readFile(values.thresholds, 'utf8').then((t) => parseThresholds(t, values.thresholds!), (e: unknown) => { throw new HarnessError(e instanceof Error && 'code' in e ? `--thresholds ${values.thresholds}: cannot read it (${errorMessage(e)})` : errorMessage(e)); })
    : DEFAULT_THRESHOLDS;
  // One choice for both sides: a candidate that renames the StatefulSet is found without it.
  const choices = { statefulSet: values.statefulset ?? null };
  const gateId = newRunId();
  if (values.manifests === '') throw new HarnessError('--manifests: expected the folder, inside this repository, that both refs are read from');
  // Refs are the user's: read in the repository the command was started in, not the harness's own.
  const refs: RepoRefs = { repo: await gitTopLevel(process.cwd()), manifests: values.manifests ?? 'manifests', cwd: process.cwd() };
  const dir = path.resolve(values['report-dir'] ?? 'reports', `gate-${gateId}`);
  // Ctrl-C reaches the whole process group, the runs too; a cancelled job's SIGTERM may reach the
  // gate alone. Either way the runs are told (a second copy within a second is the same press to
  // them), each records and tears down, nothing new starts, and the gate waits for them, writes its
  // record and exits 128 + the signal. Left to Node, it exited at once and its runs lost their parent.
  let stoppedBy: NodeJS.Signals | null = null;
  ownSignals((signal) => {
    stoppedBy ??= signal;
    for (const child of running) child.kill(signal);
  });
  // Bad input leaves nothing behind: not even the gate's own folder, nor ./reports if it made it.
  const made = makeFlagDir(dir, '--report-dir');
  const [baseline, candidate] = await (async () => {
    const b = await resolveSide('baseline', values.baseline!, refs, dir, choices);
    const c = await resolveSide('candidate', values.candidate!, refs, dir, choices);
    assertDistinct(b, c);
    return [b, c] as const;
  })().catch(async (e: unknown) => {
    await rm(made ?? dir, { recursive: true, force: true });
    throw e;
  });
  console.log(`gate ${gateId}: baseline ${describe(baseline)} → candidate ${describe(candidate)}; ${repeat} run(s) per side${values.serial ? ', one side at a time' : ''}, seed ${seed}; reports in ${dir}`);
  if (repeat < DEFAULT_REPEAT) console.log(`gate: note: fewer runs than the default ${DEFAULT_REPEAT}; a limit from so few baseline runs is tighter than the measured healthy spread (docs/gate.md)`);
  const advice = await compareAdvice(baseline.dir, candidate.dir, choices);
  for (const line of adviceConsole(advice)) console.log(line);

  const runs: GateResult['runs'] = [];
  const results: Record<'baseline' | 'candidate', ScenarioResult[][]> = { baseline: [], candidate: [] };
  let error: string | null = null;
  // The gate's own crash (a harness bug) still leaves its record: exit 2, why, and the runs so far.
  const record = (outcome: Pick<GateResult, 'verdict' | 'exitCode' | 'error' | 'scenarios'>): GateResult =>
    ({ gateId, ...outcome, baseline, candidate, repeat, serial: values.serial ?? false, seed, thresholds, runs, advice });
  recordCrash = (why) => writeGateReports(dir, record({ verdict: 'no regression', exitCode: 2, error: why, scenarios: [] }));
  // `| head`: the running sides are told as a cancelled CI job tells them (each records and tears
  // down), nothing new starts, the gate's record says why, and it exits 141, not with a stack trace.
  let closed = false;
  onClosedOutput(() => {
    closed = true;
    error ??= 'interrupted: the output was closed (SIGPIPE)';
    for (const child of running) child.kill('SIGTERM');
  });
  // Both sides at once in each repeat, each scenario on its own cluster, so that the machine's
  // noise falls on both alike; the same seed, and so the same fault schedules, every time.
  // --serial runs one side after the other, for a cluster too small for two: on a 2-core node the
  // two sides' restarts starved each other's probes and DNS, and the baseline failed its own run.
  const run = (side: ManifestSide, i: number) => runSide(side, `${side.label} ${i}/${repeat}`, path.join(dir, `${side.label}-${i}`), seed, { ...values, context, allowContext });
  for (let i = 1; i <= repeat && !error && !stoppedBy; i++) {
    const summaries = values.serial
      ? [await run(baseline, i), closed || stoppedBy ? null : await run(candidate, i)]
      : await Promise.all([baseline, candidate].map((side) => run(side, i)));
    for (const [j, side] of [baseline, candidate].entries()) {
      const summary = summaries[j]!;
      const label = `${side.label} ${i}/${repeat}`;
      runs.push({ side: side.label, repeat: i, runDir: summary ? path.join(dir, `${side.label}-${i}`, summary.runId) : null, exitCode: summary?.exitCode ?? null });
      if (!summary) error ??= `${label}: the run wrote no summary.json`;
      else if (summary.error) error ??= `${label}: ${summary.error}`;
      else results[side.label].push(summary.scenarios);
    }
  }
  // Interrupted, the runs recorded partial verdicts; no comparison is drawn from them.
  if (stoppedBy) error = `interrupted by ${stoppedBy}`;
  const names = results.baseline[0]?.map((s) => s.name) ?? [];
  const scenarios = error ? [] : names.map((name) => compareScenario(name,
    results.baseline.map((r) => r.find((s) => s.name === name)!), results.candidate.map((r) => r.find((s) => s.name === name)!), thresholds));
  const baselineErrors = scenarios.filter((s) => s.baselineStatuses.some((st) => st === 'error'));
  if (!error && baselineErrors.length) error = `the baseline itself could not be judged in ${baselineErrors.map((s) => s.name).join(', ')}`;
  const regressed = scenarios.some((s) => s.verdict === 'regressed');
  const exitCode = error ? 2 : regressed ? 1 : 0;
  const gate = record({ verdict: regressed ? 'regressed' : 'no regression', exitCode, error, scenarios });
  await writeGateReports(dir, gate);
  console.log(`\ngate: ${error ? `error — ${error}` : gate.verdict} (exit ${exitCode})`);
  for (const line of gateSummaryLines(gate)) console.log(line);
  console.log(`report: ${path.relative(process.cwd(), path.join(dir, 'gate.html'))}, gate.md, gate.json`);
  return closed ? 141 : stoppedBy ? exitCodeOf(stoppedBy) : exitCode;
}

/** Writes the gate's record when the gate itself crashes; set once its folder and sides exist. */
let recordCrash: ((why: string) => Promise<void>) | null = null;

/** The sides' runs in progress, for a closed output or a signal to stop. */
const running = new Set<ReturnType<typeof execa>>();

/** One `npm run scenarios` on one side, its lines prefixed with the side and the repeat. */
async function runSide(side: ManifestSide, label: string, reportDir: string, seed: number,
  values: { scenario?: string[]; platform?: string; context: string | null; allowContext: string | null; 'node-timeout'?: string; statefulset?: string }): Promise<RunSummary | null> {
  const args = scenariosArgv(['--manifests', side.dir, '--seed', String(seed), '--report-dir', reportDir,
    ...(values.platform ? ['--platform', values.platform] : []), ...(values.scenario ?? []).flatMap((s) => ['--scenario', s]),
    ...(values.context ? ['--context', values.context] : []), ...(values.allowContext ? ['--allow-context', values.allowContext] : []),
    ...(values['node-timeout'] ? ['--node-timeout', values['node-timeout']] : []), ...(values.statefulset ? ['--statefulset', values.statefulset] : [])]);
  // A run told to stop (SIGTERM, below and at the hour's timeout) records and tears down, which can
  // take longer than execa's default 5 s before its SIGKILL; the run bounds its own stop (90 s).
  const child = execa(process.execPath, args, { cwd: root, reject: false, buffer: false, timeout: 3_600_000, forceKillAfterDelay: 120_000, env: { CI: process.env.CI ?? '' } });
  let pending = '';
  const relay = (d: Buffer) => {
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const l of lines) if (l.trim() && !/^\s*(✓|❯|×|Test Files|Tests|Start at|Duration|RUN|JUNIT)/.test(l.replace(/\x1b\[[0-9;]*m/g, ''))) console.log(`[${label}] ${l}`);
  };
  child.stdout!.on('data', relay);
  child.stderr!.on('data', relay);
  running.add(child);
  await child;
  running.delete(child);
  return readFile(path.join(reportDir, 'latest', 'summary.json'), 'utf8').then((t) => JSON.parse(t) as RunSummary, () => null);
}

const describe = (s: ManifestSide) => (s.kind === 'ref' ? `${s.spec} (${s.commit!.slice(0, 12)})` : s.dir);

runCommand('gate', main, { onInternalError: async (why) => recordCrash?.(why) });
