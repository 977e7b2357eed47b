import { execa } from 'execa';
import { spawn, type ChildProcess } from 'node:child_process';
import { access, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canBind } from './addresses.ts';
import { kernelObjectsOf } from '../../testing/kernel-objects.ts';
import { listRuns, ownRunRecord, RunDir, runIdOf } from './run-dir.ts';
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

  // A run torn down while one of its processes lived on (a pod started beside its teardown, since
  // fixed in pod.ts) leaves it in a folder that is gone: no run lists it, so only `--sweep`, which
  // reads every process's working folder and container layer, can find it by its run id.
  it('--sweep kills a process whose run folder is gone, found by its working folder, and leaves a live run\'s alone', async () => {
    const orphanRun = RunDir.for('20261206-000004-0f0f');
    const liveRun = RunDir.for('20261206-000005-1f1f');
    const started: ChildProcess[] = [];
    const sleepIn = async (dir: string) => {
      await mkdir(dir, { recursive: true });
      const child = spawn('sleep', ['30'], { cwd: dir, stdio: 'ignore' });
      started.push(child);
      return child;
    };
    const ended = (child: ChildProcess) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve())));
    try {
      const orphan = await sleepIn(path.join(orphanRun.root, 'pods', 'solo-0'));
      await rm(orphanRun.root, { recursive: true, force: true });
      await liveRun.create(ownRunRecord('20261206-000005-1f1f', '127.1.2'));
      const live = await sleepIn(path.join(liveRun.root, 'pods', 'solo-0'));
      // A run's start sweeps without reading every process: it leaves the orphan.
      expect((await sweepLocal()).orphans).toEqual([]);
      expect(orphan.exitCode ?? orphan.signalCode).toBeNull();
      const swept = await sweepLocal({ orphans: true });
      expect(swept.orphans).toEqual([orphan.pid]);
      await ended(orphan);
      expect(orphan.signalCode).toBe('SIGKILL');
      expect(live.exitCode ?? live.signalCode).toBeNull();
    } finally {
      for (const child of started) child.kill('SIGKILL');
      await Promise.all(started.map(ended));
      await liveRun.remove();
    }
  });
});
