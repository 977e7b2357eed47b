// Brings the platform, the cluster and the hit counter up once for all scenarios, serves them to
// the scenario workers over the control bridge, and at the end writes summary.json and report.html.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { errorMessage } from '../harness/errors.ts';
import { writeHtmlReport } from '../harness/report/html.ts';
import { buildSummary, readScenarioResults, writeSummary } from '../harness/report/summary.ts';
import { scenarioNames } from '../harness/scenario/catalog.ts';
import type { HarnessContext } from '../harness/scenario/context.ts';
import { progressLine } from '../harness/scenario/progress.ts';
import { serveControl } from '../harness/session/control.ts';
import { optionsFromEnv, redisFlagsText, runDirOf } from '../harness/session/options.ts';
import { startSession, type Session } from '../harness/session/session.ts';
import { onTerminate } from '../harness/util/terminate.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const options = optionsFromEnv();
  const runDir = runDirOf(options);
  mkdirSync(runDir, { recursive: true });
  const startedAt = new Date();
  const log = (line: string) => {
    process.stdout.write(`${line}\n`);
    appendFileSync(path.join(runDir, 'progress.log'), `${line}\n`);
  };
  log(progressLine(startedAt.getTime(), 'setup', `run ${options.runId}, seed ${options.seed}${redisFlagsText(options)}; reports in ${runDir}`));
  let session: Session | null = null;
  let error: string | null = null;
  let control: Awaited<ReturnType<typeof serveControl>> | null = null;
  try {
    session = await startSession(options, (m) => log(progressLine(startedAt.getTime(), 'setup', m)));
    control = await serveControl(session.platform, log);
  } catch (e) {
    error = errorMessage(e);
    log(progressLine(startedAt.getTime(), 'setup', `the harness could not start: ${error}`));
  }
  const context: HarnessContext = {
    options, runDir, error, control: control?.endpoint ?? null, info: session?.platform.info ?? null,
    appUrl: session?.app.url ?? null, nodeTimeoutMs: session?.nodeTimeoutMs ?? options.nodeTimeoutMs ?? 15000,
  };
  project.provide('harness', context);

  let finished = false;
  const finish = async (reason: string | null) => {
    if (finished) return;
    finished = true;
    await control?.close();
    await session?.down().catch((e: unknown) => log(`teardown: ${errorMessage(e)}`));
    const names = options.scenarios.length ? options.scenarios : scenarioNames();
    const scenarios = await readScenarioResults(runDir, names, reason ?? error ?? 'the scenario did not run');
    const summary = buildSummary({
      options, info: session?.platform.info ?? null, redisImage: session?.system.redis.container.image ?? null,
      manifestNodeTimeoutMs: session?.system.redis.nodeTimeoutMs ?? null, startedAt, error: error ?? reason,
      timings: session?.timings ?? { platformUpMs: null, bootstrapMs: null, appUpMs: null }, scenarios,
    });
    await writeSummary(runDir, summary);
    const html = await writeHtmlReport(runDir, summary);
    log(progressLine(startedAt.getTime(), 'report', `${summary.status}: ${path.join(runDir, 'summary.json')}, ${html}`));
  };
  // Ctrl-C: tear down (the platform registers its own handler too) and still write what was recorded.
  const unregister = onTerminate((signal) => finish(`interrupted by ${signal}`));
  return async () => {
    unregister();
    await finish(null);
  };
}
