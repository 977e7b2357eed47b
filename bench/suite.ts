// npm run bench:suite — the default scenario set as `npm run scenarios` runs it (the manifests'
// own node timeout), serially on one cluster (--parallel 1) and in parallel, each scenario on its
// own cluster, in the same run. Prints each wall time, the longest scenario, and every scenario's
// failover and p99 in both modes. Last line: JSON.
import { execa } from 'execa';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { scenariosArgv } from '../harness/cli/entry.ts';
import type { RunSummary } from '../harness/report/summary.ts';
import { scenarioFlags } from './flags.ts';

const root = path.resolve(import.meta.dirname, '..');
const extra = scenarioFlags('suite');
const modes = (process.env.BENCH_MODES ?? '1,default').split(',');

async function suite(parallel: string): Promise<{ wallMs: number; summary: RunSummary }> {
  const reportDir = await mkdtemp(path.join(os.tmpdir(), `bench-suite-${parallel}-`));
  try {
    const args = scenariosArgv(['--seed', '1', '--report-dir', reportDir, ...(parallel === 'default' ? [] : ['--parallel', parallel]), ...extra]);
    const started = performance.now();
    const run = await execa(process.execPath, args, { cwd: root, reject: false, timeout: 900_000 });
    const wallMs = Math.round(performance.now() - started);
    const summary = JSON.parse(await readFile(path.join(reportDir, 'latest', 'summary.json'), 'utf8')) as RunSummary;
    if (run.exitCode !== 0) console.log(run.stdout.split('\n').slice(-12).join('\n'));
    return { wallMs, summary };
  } finally {
    await rm(reportDir, { recursive: true, force: true });
  }
}

const out: Record<string, unknown> = {};
for (const mode of modes) {
  const { wallMs, summary } = await suite(mode);
  const longest = Math.max(...summary.scenarios.map((s) => s.durationMs));
  const perScenario = Object.fromEntries(summary.scenarios.map((s) => [s.name, { status: s.status, durationMs: s.durationMs, failoverMs: s.metrics.failoverMs, p99Ms: s.metrics.p99LatencyMs, maxUnavailableMs: s.metrics.maxUnavailableMs }]));
  console.log(`--parallel ${mode === 'default' ? `${summary.parallel} (default)` : mode}: exit ${summary.exitCode}, wall ${wallMs} ms, longest scenario ${longest} ms, ratio ${(wallMs / longest).toFixed(2)}`);
  for (const [name, s] of Object.entries(perScenario)) console.log(`  ${name.padEnd(20)} ${JSON.stringify(s)}`);
  out[mode === '1' ? 'serial' : mode === 'default' ? 'parallel' : `parallel${mode}`] = { parallel: summary.parallel, exitCode: summary.exitCode, wallMs, longestScenarioMs: longest, wallOverLongest: Number((wallMs / longest).toFixed(3)), scenarios: perScenario };
}
console.log(JSON.stringify(out));
