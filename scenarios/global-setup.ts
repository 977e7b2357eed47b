// Owns every session of the run: with --parallel 1 it brings the platform, the cluster and the hit
// counter up once for all scenarios; with --parallel N each scenario's worker leases a fresh one.
// Serves them to the workers over the control bridge, and at the end (or on Ctrl-C, once the
// workers have recorded what they have) tears them down and writes summary.json and report.html.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { errorMessage } from '../harness/errors.ts';
import { writeHtmlReport } from '../harness/report/html.ts';
import { buildSummary, readScenarioResults, writeSummary } from '../harness/report/summary.ts';
import { scenarioNames } from '../harness/scenario/catalog.ts';
import type { HarnessContext } from '../harness/scenario/context.ts';
import { progressLine, runLine } from '../harness/scenario/progress.ts';
import { serveControl } from '../harness/session/control.ts';
import { optionsFromEnv, redisFlagsText, runDirOf } from '../harness/session/options.ts';
import { SessionPool } from '../harness/session/pool.ts';
import type { Session } from '../harness/session/session.ts';
import { interruptedBy, onTerminate } from '../harness/util/terminate.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const options = optionsFromEnv();
  const runDir = runDirOf(options);
  mkdirSync(runDir, { recursive: true });
  const startedAt = new Date();
  const log = (line: string) => {
    process.stdout.write(`${line}\n`);
    appendFileSync(path.join(runDir, 'progress.log'), `${line}\n`);
  };
  const mode = options.parallel > 1 ? 'fresh' : 'shared';
  log(progressLine(startedAt.getTime(), 'setup', `run ${options.runId}, seed ${options.seed}${redisFlagsText(options)}${mode === 'fresh' ? `, ${options.parallel} scenarios at a time, each on its own cluster` : ''}; reports in ${runDir}`));
  const pool = new SessionPool(options, mode, (scope, m) => log(progressLine(startedAt.getTime(), scope, m)));
  let shared: Session | null = null;
  let error: string | null = null;
  let control: Awaited<ReturnType<typeof serveControl>> | null = null;
  try {
    if (mode === 'shared') shared = await pool.startShared();
    // Scenario lines come without a clock: they get the run's, so parallel scenarios share one.
    control = await serveControl(pool, (line) => log(runLine(startedAt.getTime(), line)));
  } catch (e) {
    error = errorMessage(e);
    log(progressLine(startedAt.getTime(), 'setup', `the harness could not start: ${error}`));
  }
  const context: HarnessContext = { options, runDir, error, control: control?.endpoint ?? null };
  project.provide('harness', context);

  let finished = false;
  const finish = async () => {
    if (finished) return;
    finished = true;
    await control?.close();
    for (const e of await pool.close()) log(`teardown: ${e}`);
    const signal = interruptedBy();
    const names = options.scenarios.length ? options.scenarios : scenarioNames();
    const recorded = await readScenarioResults(runDir, names, signal ? `interrupted by ${signal} before it ran` : (error ?? 'the scenario did not run'), signal ? 'interrupted' : 'error');
    // A worker learns of the interruption from vitest's cancel, not which signal it was.
    const scenarios = recorded.map((s) => (s.status === 'interrupted' && s.partial ? { ...s, error: `interrupted by ${signal ?? 'a signal'} during the scenario` } : s));
    const first = shared ?? pool.first;
    const summary = buildSummary({
      options, info: first?.platform.info ?? null, redisImage: first?.system.redis.container.image ?? null,
      manifestNodeTimeoutMs: first?.system.redis.nodeTimeoutMs ?? null, startedAt, error, interruptedBy: signal,
      timings: (mode === 'shared' ? shared?.timings : null) ?? { platformUpMs: null, bootstrapMs: null, appUpMs: null }, scenarios,
    });
    await writeSummary(runDir, summary);
    const html = await writeHtmlReport(runDir, summary);
    log(progressLine(startedAt.getTime(), 'report', `${summary.status}: ${path.join(runDir, 'summary.json')}, ${html}`));
  };
  // Without the CLI (vitest run directly), a signal still tears down and writes the record.
  const unregister = onTerminate(() => finish());
  return async () => {
    unregister();
    await finish();
  };
}
