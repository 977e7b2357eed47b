// npm run bench:flakes — the false-alarm rate of the default `npm run scenarios` (the seed's five,
// in parallel, the manifests' own node timeout) on the repo's manifests, which pass them: every
// failed or errored scenario is a false alarm. BENCH_FLAKES_RUNS runs (default 20), one after
// another, each with its own seed (1..N), as the machine is. Prints each run, then per scenario how
// many runs failed and why; the failing runs' folders are kept, the rest removed. Last line: JSON.
// Exit 0 no false alarm, 1 a scenario failed or errored in some run, 2 some run never got as far as
// a summary (the measurement itself is short), as `npm run scenarios` would exit.
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scenariosArgv } from '../harness/cli/entry.ts';
import type { RunSummary } from '../harness/report/summary.ts';
import { scenarioFlags } from './flags.ts';

const root = path.resolve(import.meta.dirname, '..');
const runs = Number(process.env.BENCH_FLAKES_RUNS || 20);
const extra = scenarioFlags('flakes');

const perScenario: Record<string, { runs: number; failed: number; error: number; why: string[] }> = {};
const harnessErrors: string[] = [];
const started = performance.now();
for (let seed = 1; seed <= runs; seed++) {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), `bench-flakes-${seed}-`));
  const t0 = performance.now();
  const run = await execa(process.execPath, scenariosArgv(['--seed', String(seed), '--report-dir', reportDir, ...extra]), { cwd: root, reject: false, timeout: 900_000, env: { CI: process.env.CI ?? '' } });
  const summary = await readFile(path.join(reportDir, 'latest', 'summary.json'), 'utf8').then((t) => JSON.parse(t) as RunSummary, () => null);
  const wall = Math.round((performance.now() - t0) / 1000);
  if (!summary) {
    harnessErrors.push(`seed ${seed}: exit ${run.exitCode}, no summary.json`);
    console.log(`run ${seed}/${runs}: exit ${run.exitCode}, no summary (${wall} s); kept ${reportDir}`);
    continue;
  }
  for (const s of summary.scenarios) {
    const entry = (perScenario[s.name] ??= { runs: 0, failed: 0, error: 0, why: [] });
    entry.runs++;
    if (s.status === 'failed' || s.status === 'error') {
      entry[s.status]++;
      entry.why.push(`seed ${seed}: ${s.checks.filter((c) => c.valid !== true).map((c) => `${c.name}: ${c.message}`).join(' | ') || s.error}`);
    }
  }
  const bad = summary.scenarios.filter((s) => s.status !== 'passed');
  console.log(`run ${seed}/${runs}: ${summary.status} (exit ${summary.exitCode}, ${wall} s)${bad.length ? `: ${bad.map((s) => `${s.name} ${s.status}`).join(', ')}; kept ${reportDir}` : ''}`);
  if (bad.length === 0 && summary.exitCode === 0) await rm(reportDir, { recursive: true, force: true });
}
console.log('');
for (const [name, e] of Object.entries(perScenario)) {
  console.log(`${name.padEnd(22)} ${e.failed} failed, ${e.error} errors in ${e.runs} runs`);
  for (const w of e.why) console.log(`    ${w.slice(0, 300)}`);
}
const alarms = Object.values(perScenario).reduce((t, e) => t + e.failed + e.error, 0);
const runsWithAlarm = alarms + harnessErrors.length;
console.log(JSON.stringify({
  runs, wallS: Math.round((performance.now() - started) / 1000), falseAlarms: runsWithAlarm, goal: 0,
  scenarios: Object.fromEntries(Object.entries(perScenario).map(([n, e]) => [n, { runs: e.runs, failed: e.failed, error: e.error }])), harnessErrors,
}));
process.exitCode = harnessErrors.length ? 2 : alarms ? 1 : 0;
