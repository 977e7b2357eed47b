// npm run explore's bad input, and the composition the exploration is measured on, replayed on
// real redis-server processes: two overlapping faults that examples/no-persistence loses every
// acknowledged write of a shard to, and that the repo's manifests survive.
import { execa } from 'execa';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_MANIFESTS } from '../testing/local-cluster.ts';
import { runScenario } from '../testing/run-cli.ts';
import type { Plan } from './plan.ts';

const cli = path.resolve(import.meta.dirname, '../explore-cli.ts');
const explore = (args: string[]) => execa(process.execPath, ['--import', 'tsx', cli, ...args], { reject: false, timeout: 30_000, env: { CI: '' } });
const NO_PERSISTENCE = path.resolve(import.meta.dirname, '../../examples/no-persistence');

describe('npm run explore', () => {
  it('refuses bad input in one line, exit 2, no stack trace, nothing written', async () => {
    const reportDir = await mkdtemp(path.join(os.tmpdir(), 'explore-'));
    for (const [args, line] of [
      [['--faults', 'pause,explode'], '--faults explode: unknown fault; valid: kill, crash, pause, partition, delay, delete, full-restart, node-crash'],
      [['--budget', 'soon'], '--budget soon: expected a duration such as 90s, 30m or 1h'],
      [['--runs', '0'], '--runs 0: expected an integer ≥ 1'],
      [['--faults', 'partition', '--isolation', 'processes'], '--faults partition/delay need --isolation namespaces'],
    ] as const) {
      const r = await explore([...args, '--report-dir', reportDir]);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr.trim()).toBe(`redis-chaos explore: ${line}`);
    }
    const missing = await explore(['--manifests', '/nonexistent/manifests', '--report-dir', reportDir]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toContain('/nonexistent/manifests');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('the composition examples/no-persistence cannot survive', () => {
  // The counter shard's replica down while its master is paused past the liveness probe's limit:
  // no replica can take over, the probe restarts the master, and it comes back empty, as master.
  const plan: Plan = { version: 1, seed: null, steps: [
    { fault: 'kill', target: 'counter-replica', atMs: 0, holdMs: 14_000 },
    { fault: 'pause', target: 'counter-master', atMs: 500, holdMs: 12_000 },
  ] };

  it('loses the shard\'s acknowledged writes on examples/no-persistence, and not on the repo\'s manifests', async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'schedule-')), 'two.json');
    await writeFile(file, JSON.stringify(plan));
    const [defect, repo] = await Promise.all([runScenario(NO_PERSISTENCE, 'random-schedule', ['--schedule', file]), runScenario(REPO_MANIFESTS, 'random-schedule', ['--schedule', file])]);
    expect(defect.exitCode, defect.output).toBe(1);
    const counter = defect.summary.scenarios[0]!.checks.find((c) => c.name === 'counter')!;
    expect(counter.valid).toBe(false);
    expect(counter.message).toMatch(/acknowledged increments lost/);
    expect(repo.exitCode, repo.summary.scenarios[0]!.checks.filter((c) => c.valid !== true).map((c) => c.message).join('\n')).toBe(0);
  }, 180_000);
});
