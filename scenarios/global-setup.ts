// Owns every session of the run: with --parallel 1 it brings the platform, the cluster and the hit
// counter up once for all scenarios; with --parallel N each scenario's worker leases a fresh one.
// Serves them to the workers over the control bridge, and at the end (or on Ctrl-C, once the
// workers have recorded what they have) tears them down and writes summary.json and report.html.
import type { TestProject } from 'vitest/node';
import type { HarnessContext } from '../harness/scenario/context.ts';
import { runLine } from '../harness/scenario/progress.ts';
import { serveControl } from '../harness/session/control.ts';
import { adoptOpenedRun } from '../harness/run/handover.ts';
import { onTerminate } from '../harness/util/terminate.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The CLI opened the run while vitest loaded; vitest run directly opens it here. Imported only
  // then: the run's modules are the CLI's, and loading a second copy here (the report, the session
  // pool, every platform, through vite) held the worker's start back by two seconds, measured.
  const run = adoptOpenedRun() ?? (await openRunHere());
  const { options, runDir, startedAt, pool, log } = run;
  let control: Awaited<ReturnType<typeof serveControl>> | null = null;
  try {
    // Scenario lines come without a clock: they get the run's, so parallel scenarios share one.
    control = await serveControl(pool, (line) => log(runLine(startedAt.getTime(), line)));
  } catch (e) {
    run.couldNotStart(e);
  }
  const context: HarnessContext = { options, runDir, error: run.error, interrupted: run.interrupted, control: control?.endpoint ?? null };
  project.provide('harness', context);
  run.preloadReport();

  const finish = async () => {
    await control?.close();
    await run.close();
  };
  // Without the CLI (vitest run directly), a signal still tears down and writes the record.
  const unregister = onTerminate(() => finish());
  return async () => {
    unregister();
    await finish();
  };
}

async function openRunHere() {
  const [{ openRun }, { optionsFromEnv }] = await Promise.all([import('../harness/run/opened-run.ts'), import('../harness/session/options.ts')]);
  return openRun(optionsFromEnv());
}
