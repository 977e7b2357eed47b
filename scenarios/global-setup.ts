// Owns every session of the run: with --parallel 1 it brings the platform, the cluster and the hit
// counter up once for all scenarios; with --parallel N each scenario's worker leases a fresh one.
// Serves them to the workers over the control bridge, and at the end (or on Ctrl-C, once the
// workers have recorded what they have) tears them down and writes summary.json and report.html.
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { writeHtmlReport } from '../harness/report/html.ts';
import { buildSummary, readScenarioResults, writeSummary } from '../harness/report/summary.ts';
import { scenarioNames } from '../harness/scenario/catalog.ts';
import type { HarnessContext } from '../harness/scenario/context.ts';
import { progressLine, runLine } from '../harness/scenario/progress.ts';
import { serveControl } from '../harness/session/control.ts';
import { adoptOpenedRun, openRun } from '../harness/scenario/opened-run.ts';
import { optionsFromEnv } from '../harness/session/options.ts';
import { interruptedBy, onTerminate } from '../harness/util/terminate.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const run = adoptOpenedRun() ?? openRun(optionsFromEnv());
  const { options, runDir, startedAt, mode, pool, sharedStart, log } = run;
  let control: Awaited<ReturnType<typeof serveControl>> | null = null;
  try {
    // Scenario lines come without a clock: they get the run's, so parallel scenarios share one.
    control = await serveControl(pool, (line) => log(runLine(startedAt.getTime(), line)));
  } catch (e) {
    run.couldNotStart(e);
  }
  const context: HarnessContext = { options, runDir, error: run.error, interrupted: run.interrupted, control: control?.endpoint ?? null };
  project.provide('harness', context);
  // report.html's charts load vega, a second and more of this process's time when cold, which the
  // run would otherwise wait for after the verdict. Loaded now, while the cluster forms (redis-cli
  // sleeps) and before any load or fault, so that it is off the path and measures nothing.
  void import('../harness/report/charts.ts').catch(() => undefined);

  let finished = false;
  const finish = async () => {
    if (finished) return;
    finished = true;
    await control?.close();
    // The platforms come down while the record is written (a second, measured): the summary needs
    // nothing teardown changes, and teardown errors are only logged. close() first aborts a shared
    // session still starting, so that its outcome is known before the summary is built.
    const closing = pool.close();
    const shared = await sharedStart;
    const error = run.error;
    try {
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
      for (const e of await closing) log(`teardown: ${e}`);
      log(progressLine(startedAt.getTime(), 'report', `${summary.status}: ${path.join(runDir, 'summary.json')}, ${html}`));
    } finally {
      await closing; // also when the record could not be written: nothing may be left running
    }
  };
  // Without the CLI (vitest run directly), a signal still tears down and writes the record.
  const unregister = onTerminate(() => finish());
  return async () => {
    unregister();
    await finish();
  };
}
