import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { attach, attachFile } from './allure.ts';
import type { CheckResult } from '../checkers/index.ts';
import type { ScenarioResult } from './result.ts';
import type { ScenarioEnv } from './context.ts';
import type { ScenarioSeries } from './series.ts';

/**
 * Everything one scenario leaves in reports/<runId>/scenarios/<name>/: result.json (its entry in
 * summary.json), checks.json (with details), series.json for the report's charts, the pods'
 * logs; and the same as Allure attachments. The charts are drawn by the report, after the run:
 * vega costs a second of CPU per scenario, which beside parallel scenarios would land in their load.
 */
export async function writeScenarioArtifacts(env: ScenarioEnv, dir: string, result: ScenarioResult, checks: CheckResult[], series: ScenarioSeries): Promise<void> {
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  await writeFile(path.join(dir, 'result.json'), json(result));
  await writeFile(path.join(dir, 'checks.json'), json(checks));
  await writeFile(path.join(dir, 'series.json'), JSON.stringify(series));
  const logs = await writeLogs(env.platform, dir);

  await attach('summary.json', json(result), 'application/json');
  await attachFile('series.json', path.join(dir, 'series.json'), 'application/json');
  await attachFile('history.jsonl', path.join(dir, 'history.jsonl'), 'application/x-ndjson');
  for (const [name, text] of logs) await attach(`${name}.log`, text || '(empty)', 'text/plain');
}

/** Every pod's log and the app's, into `dir/logs/`: what a person reads first when a scenario errs. */
export async function writeLogs(platform: ScenarioEnv['platform'], dir: string): Promise<(readonly [string, string])[]> {
  const pods = await platform.pods().catch(() => []);
  const logs = await Promise.all(pods.map(async (p) => [p.name, await platform.logs(p.name, { tailLines: 2000 }).catch((e: unknown) => `(logs unavailable: ${String(e)})`)] as const));
  logs.push(['hit-counter', await platform.appLogs({ tailLines: 2000 }).catch(() => '')]);
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  for (const [name, text] of logs) await writeFile(path.join(dir, 'logs', `${name}.log`), text);
  return logs;
}
