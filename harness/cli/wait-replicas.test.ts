// --wait-replicas end to end, on real redis-server processes: the app is deployed with WAIT, says
// so in its log, the scenario still passes, and the run records the setting where the report shows it.
import { execa } from 'execa';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../report/summary.ts';
import { scenariosArgv } from './entry.ts';

describe('--wait-replicas 1', () => {
  it('deploys the app with WAIT 1, passes kill-master, and records the setting in summary.json and report.html', async () => {
    const reportDir = await mkdtemp(path.join(os.tmpdir(), 'wait-replicas-report-'));
    const r = await execa(process.execPath, scenariosArgv(['--report-dir', reportDir, '--scenario', 'kill-master', '--node-timeout', '2000', '--redis-config', 'repl-diskless-sync-delay=0', '--wait-replicas', '1']), {
      reject: false, timeout: 150_000, env: { CI: '', HARNESS_SETTLE_MS: '1000' }, extendEnv: true,
    });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const run = path.join(reportDir, 'latest');
    const summary = JSON.parse(await readFile(path.join(run, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.waitReplicas).toEqual({ replicas: 1, timeoutMs: 500 });
    expect(summary.scenarios[0]).toMatchObject({ name: 'kill-master', status: 'passed' });
    expect(await readFile(path.join(run, 'report.html'), 'utf8')).toContain('--wait-replicas 1 (WAIT 1 500 ms after each write)');
    expect(await readFile(path.join(run, 'scenarios', 'kill-master', 'logs', 'hit-counter.log'), 'utf8')).toMatch(/hit-counter listening on .*, WAIT 1 500 ms after each write/);
  }, 160_000);
});
