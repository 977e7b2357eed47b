// Memory and CPU limits on the local platform, on the real kernel: a container that outgrows its
// memory limit is OOM-killed by the kernel and recorded as the kubelet records it (exit 137,
// OOMKilled, in its status and its log), then restarted with the crash back-off; a kill the harness
// sends is not taken for an OOM kill; a Redis pod of real manifests runs in its cgroup, and its
// OOM kill reaches pods(); nothing is left behind.
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests, resolveSystem } from '../../manifests/index.ts';
import { manifestsWith } from '../../testing/run-cli.ts';
import { newRunId } from '../../util/run-id.ts';
import { NotYet, waitUntil } from '../../util/wait.ts';
import { RunCgroups } from './cgroups.ts';
import { cgroupExists, cgroupLayout, type CgroupLayout } from './cgroup-layout.ts';
import { LocalContainer, type ContainerSpec } from './container.ts';
import { LocalPlatform } from './local-platform.ts';
import { RunDir } from './run-dir.ts';
import { sweepLocal } from './sweeper.ts';

const layout = await cgroupLayout();
const why = typeof layout === 'string' ? layout : null;
if (why) console.warn(`limits.test.ts: skipped: ${why}`);

const MiB = 2 ** 20;

async function spec(cgroups: RunCgroups, argv: string[], memoryBytes: number): Promise<ContainerSpec> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'limits-test-'));
  return {
    name: 'c', argv, env: { PATH: process.env.PATH ?? '' }, cwd: dir, logFile: path.join(dir, 'log'),
    restartPolicy: 'Always', backoff: { initialMs: 400, maxMs: 800, resetAfterMs: 60_000 },
    cgroup: { cgroups, name: 'pod-0-c', limits: { memoryBytes } },
  };
}

describe.skipIf(why !== null)('memory limits', () => {
  it('an OOM kill is exit 137, OOMKilled, in the log, and restarted with the crash back-off', async () => {
    const cgroups = new RunCgroups(layout as CgroupLayout, newRunId());
    // Writes 128 MiB under a 32 MiB limit: the kernel kills it every time.
    const c = new LocalContainer(await spec(cgroups, ['python3', '-c', 's = "x" * (128 << 20)'], 32 * MiB));
    const started = Date.now();
    try {
      c.start();
      await waitUntil('three OOM kills', async () => {
        if (c.oomKills < 3) throw new NotYet(`${c.oomKills} OOM kills`);
      }, { timeoutMs: 10_000, intervalMs: 20 });
      // At once after the first, then 400 ms, then 800 ms: the third kill comes after both delays.
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(c.lastTermination).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
      expect(c.restarts).toBeGreaterThanOrEqual(2);
      const log = await readFile(c.spec.logFile, 'utf8');
      expect(log).toMatch(/=== redis-chaos: container c terminated: OOMKilled \(exit code 137, SIGKILL\): the kernel's OOM killer \(memory limit 32Mi\)/);
      expect(log).toMatch(/starting \(restart 0\) .* in cgroup pod-0-c-1/);
    } finally {
      await c.stop(100);
      await cgroups.removeAll();
    }
    for (const d of cgroups.runDirs) expect(await cgroupExists(d)).toBe(false);
  });

  it('a SIGKILL the harness sends is Error, not OOMKilled, under a limit too', async () => {
    const cgroups = new RunCgroups(layout as CgroupLayout, newRunId());
    const c = new LocalContainer(await spec(cgroups, ['sleep', '30'], 32 * MiB));
    try {
      c.start();
      c.signal('SIGKILL');
      await c.waitForExit(5000);
      expect(c.lastTermination).toMatchObject({ reason: 'Error', exitCode: 137 });
      expect(c.oomKills).toBe(0);
    } finally {
      await c.stop(100);
      await cgroups.removeAll();
    }
  });
});

describe.skipIf(why !== null)('a Redis pod with limits.memory', () => {
  it('runs in its cgroup, is OOM-killed when its data outgrows the limit, and pods() says OOMKilled', async () => {
    const dir = await manifestsWith({
      'redis-cluster/statefulset.yaml': (t) => t.replace('        volumeMounts:\n', '        resources:\n          limits:\n            memory: 48Mi\n            cpu: "1"\n        volumeMounts:\n'),
    });
    const system = resolveSystem(await loadManifests(dir));
    const platform = await new LocalPlatform({ system, nodeTimeoutOverrideMs: 2000, backoff: { initialMs: 500, maxMs: 1000, resetAfterMs: 60_000 } }).up();
    const runDirs = new RunCgroups(layout as CgroupLayout, platform.info.runId).runDirs;
    try {
      const pod = 'redis-cluster-0';
      const memoryDir = path.join(runDirs[0]!, `${pod}-redis-1`);
      expect(await readFile(path.join(memoryDir, (layout as CgroupLayout).version === 1 ? 'memory.limit_in_bytes' : 'memory.max'), 'utf8')).toBe(`${48 * MiB}\n`);
      // The pod's redis-server is in it (the wrapper joined, then exec'd through the sandbox).
      const pids = (await readFile(path.join(memoryDir, 'cgroup.procs'), 'utf8')).trim().split('\n');
      expect(pids.length).toBeGreaterThanOrEqual(1);
      const comm = await readFile(`/proc/${pids[0]}/comm`, 'utf8');
      expect(comm.trim()).toBe('redis-server');
      // A one-node cluster serving every slot, then 1 MiB values until the kernel kills it.
      await platform.redis(pod, ['CLUSTER', 'ADDSLOTSRANGE', '0', '16383']);
      const value = 'x'.repeat(MiB);
      await waitUntil(`${pod} OOM-killed`, async () => {
        for (let i = 0; i < 8; i++) await platform.redis(pod, ['SET', `{k}${Math.random()}`, value], { timeoutMs: 2000 }).catch(() => undefined);
        const status = (await platform.pods()).find((p) => p.name === pod)!;
        if (status.lastTermination !== 'OOMKilled') throw new NotYet(`${pod}: last termination ${status.lastTermination}`);
        expect(status.oomKills).toBeGreaterThanOrEqual(1);
      }, { timeoutMs: 30_000, intervalMs: 10 });
      expect(await platform.logs(pod)).toMatch(/terminated: OOMKilled \(exit code 137, SIGKILL\): the kernel's OOM killer \(memory limit 48Mi\)/);
      // The restart policy brings it back, in a new cgroup.
      await waitUntil(`${pod} back`, async () => {
        const status = (await platform.pods()).find((p) => p.name === pod)!;
        if (status.restarts < 1 || !status.ready) throw new NotYet(`${status.restarts} restarts, ready ${status.ready}`);
      }, { timeoutMs: 10_000, intervalMs: 50 });
    } finally {
      await platform.down();
    }
    for (const d of runDirs) expect(await cgroupExists(d)).toBe(false);
  });
});

describe.skipIf(why !== null)('the sweeper and limits', () => {
  it("removes a SIGKILLed harness's cgroups, found by run id", async () => {
    const harness = execa(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/crashing-limited-harness.ts')], {
      buffer: false, reject: false, timeout: 60_000,
    });
    const line = await new Promise<string>((resolve, reject) => {
      harness.stdout!.once('data', (d: Buffer) => resolve(d.toString()));
      harness.once('exit', () => reject(new Error('the fixture harness exited before starting its pod')));
    });
    const { runId } = JSON.parse(line) as { runId: string };
    harness.kill('SIGKILL');
    await harness;
    const runDirs = new RunCgroups(layout as CgroupLayout, runId).runDirs;
    // Nothing ran its teardown: its container's cgroup is there, its redis-server in it.
    const leaf = path.join(runDirs[0]!, 'solo-0-redis-1');
    expect((await readFile(path.join(leaf, 'cgroup.procs'), 'utf8')).trim()).not.toBe('');
    await sweepLocal();
    // Other test files run the sweeper too, and to them this run is as dead: whichever sweep got
    // there first, nothing of the run is left (nothing but a sweep removes a dead run's cgroups).
    expect(existsSync(RunDir.for(runId).root)).toBe(false);
    for (const d of runDirs) expect(await cgroupExists(d)).toBe(false);
  });
});
