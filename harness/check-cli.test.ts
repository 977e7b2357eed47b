import { execa } from 'execa';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { killedAndRecovered } from './testing/evidence.ts';
import { recordRun } from './testing/recorded-run.ts';
import { seedNodes, topologyOf } from './testing/topologies.ts';

const cli = path.resolve(import.meta.dirname, 'check-cli.ts');
const check = (args: string[]) => execa(process.execPath, ['--import', 'tsx', cli, ...args], { reject: false, timeout: 30_000, env: { CI: '' } });

describe('npm run check', () => {
  it('exits 2 with one line naming a missing folder, and no stack trace', async () => {
    const r = await check(['reports/no-such-run']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('redis-chaos check: reports/no-such-run: no such folder');
    expect(r.stdout).toBe('');
  });

  it('re-checks reports/latest, says which check turned, and exits 1', async () => {
    const { samples: _samples, ...e } = killedAndRecovered();
    const t = topologyOf(seedNodes());
    const runDir = await recordRun([{ name: 'kill-master', evidence: e, sampled: [0, 250, 500].map((tMs) => ({ t, tMs })), sampling: { counterSlot: 0, watchSlots: [0, 5461, 10923] } }]);
    const latest = path.join(path.dirname(runDir), 'latest');
    await symlink(path.basename(runDir), latest);
    const file = path.join(runDir, 'scenarios', 'kill-master', 'evidence.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"finalRead": 10', '"finalRead": 9'));

    const r = await check([latest, '--scenario', 'kill-master']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('  kill-master  passed → failed\n');
    expect(r.stdout).toMatch(/\n {17}counter: pass → fail — 1 acknowledged increments? lost/);
    expect(r.stdout).toContain(`re-check: failed (exit 1); ${path.join(latest, 'summary.recheck.json')}`);
  });
});
