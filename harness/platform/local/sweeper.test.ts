import { execa } from 'execa';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canBind } from './addresses.ts';
import { kernelObjectsOf } from '../../testing/kernel-objects.ts';
import { listRuns, RunDir, runIdOf } from './run-dir.ts';
import { markedProcesses, sweepLocal } from './sweeper.ts';
import { sweepKernelObjects } from './sandbox/sweep-kernel.ts';
import { NotYet, waitUntil } from '../../util/wait.ts';

describe('the sweeper', () => {
  it('removes what a SIGKILLed harness left behind, found by run id', async () => {
    const harness = execa(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/crashing-harness.ts')], {
      buffer: false, reject: false, timeout: 60_000,
    });
    const line = await new Promise<string>((resolve, reject) => {
      harness.stdout!.once('data', (d: Buffer) => resolve(d.toString()));
      harness.once('exit', () => reject(new Error('the fixture harness exited before starting its pod')));
    });
    const { runId, ip, isolation } = JSON.parse(line) as { runId: string; ip: string; isolation: string };
    const namespaced = isolation === 'namespaces';
    harness.kill('SIGKILL');
    await harness;
    // The harness is gone; its redis-server is not: nothing ran its teardown.
    const left = await markedProcesses(runId);
    expect(left.size).toBe(1);
    // Namespaces mode: the pod's namespace, its veth and the run's bridge are left too.
    const kernel = namespaced ? await kernelObjectsOf(runId) : [];
    if (namespaced) expect(kernel.length).toBe(3);
    else expect(await canBind(ip, 6379)).toBe(false);

    // Kept by the fixture: an automatic sweep (every platform's start) leaves it; `--sweep` does not.
    expect((await sweepLocal({ onlyRunId: runId })).runs).toEqual([]);
    expect((await markedProcesses(runId)).size).toBe(1);
    const swept = await sweepLocal({ onlyRunId: runId, includeKept: true });
    expect(swept.runs).toEqual([runId]);
    expect(swept.killed).toContain([...left.keys()][0]);
    if (namespaced) {
      expect(swept.netns).toEqual(kernel.filter((k) => k.startsWith('rc-')));
      expect(swept.links.length).toBeGreaterThanOrEqual(1); // the bridge; the veth may have gone with its namespace
      expect(await kernelObjectsOf(runId)).toEqual([]);
    } else {
      await waitUntil('port released', async () => {
        if (!(await canBind(ip, 6379))) throw new NotYet(`${ip}:6379 still bound`);
      }, { timeoutMs: 5000 });
    }
    expect((await markedProcesses(runId)).size).toBe(0);
    await expect(access(RunDir.for(runId).root)).rejects.toThrow();
  });

  it.skipIf(process.getuid?.() !== 0)('never sweeps the namespace of a run that started after its listing, nor of a live one', async () => {
    // A run that starts while another run's sweep is under way: its folder appears after the
    // sweep's first listing, and nothing runs in its namespace yet; the objects are matched against
    // a listing taken after them, so it is known, and not dead. (Only the fake run is ever "dead"
    // here: other test files' runs are live on this machine at the same time.)
    const starting = `20261201-000000-${Math.random().toString(16).slice(2, 6)}-starting`;
    const netns = `rc-${starting}-solo-0-0`;
    await execa('ip', ['netns', 'add', netns]);
    // Every real run on the machine stays listed: other tests' runs must not look unknown.
    const runs = async () => [...(await listRuns()).map(runIdOf), starting];
    try {
      const swept = await sweepKernelObjects(runs, () => false);
      expect(swept.netns).not.toContain(netns);
      // Dead, it goes, and only it.
      const dead = await sweepKernelObjects(runs, (id) => id === starting);
      expect(dead.netns).toContain(netns);
    } finally {
      await execa('ip', ['netns', 'del', netns], { reject: false });
    }
  });
});
