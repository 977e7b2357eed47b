// The container cgroups on this machine's real kernel: limits written where the kernel reads
// them, a process joined before it execs, a real OOM kill counted, leftovers killed and removed,
// and a dead run's cgroups found by run id and swept.
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { newRunId } from '../../util/run-id.ts';
import { RunCgroups, sweepCgroups } from './cgroups.ts';
import { cgroupExists, cgroupLayout, type CgroupLayout } from './cgroup-layout.ts';
import { ownRunRecord, RunDir } from './run-dir.ts';

const layout = await cgroupLayout();
const why = typeof layout === 'string' ? layout : null;
if (why) console.warn(`cgroups.test.ts: skipped: ${why}`);

describe.skipIf(why !== null)('container cgroups on the real kernel', () => {
  const run = () => new RunCgroups(layout as CgroupLayout, newRunId());
  const read = (dir: string, file: string) => readFile(`${dir}/${file}`, 'utf8').then((t) => t.trim());

  it('writes the limits and puts the process in the cgroup before it execs', async () => {
    const cgroups = run();
    try {
      const cg = cgroups.create('redis-cluster-0-redis', { memoryBytes: 64 * 2 ** 20, cpuMillis: 250, cpuRequestMillis: 100 });
      expect(cg.name).toBe('redis-cluster-0-redis-1');
      expect(cg.dirs.every((d) => d.includes(`/redis-chaos-${cgroups.runId}/redis-cluster-0-redis-1`))).toBe(true);
      const [memory, cpu] = cg.dirs as [string, string];
      if (cg.version === 1) {
        expect(await read(memory, 'memory.limit_in_bytes')).toBe(String(64 * 2 ** 20));
        expect(await read(cpu, 'cpu.cfs_quota_us')).toBe('25000');
        expect(await read(cpu, 'cpu.cfs_period_us')).toBe('100000');
        expect(await read(cpu, 'cpu.shares')).toBe('102');
      } else {
        expect(await read(memory, 'memory.max')).toBe(String(64 * 2 ** 20));
        expect(await read(memory, 'cpu.max')).toBe('25000 100000');
      }
      const [file, ...args] = cg.wrap(['cat', '/proc/self/cgroup']);
      const r = await execa(file!, args);
      // The exec'd command itself reads its cgroup: it is in it, in every hierarchy.
      const lines = r.stdout.split('\n').filter((l) => l.includes(cg.name));
      expect(lines.length).toBe(cg.dirs.length);
      expect(cg.oomKills()).toBe(0);
    } finally {
      await cgroups.removeAll();
    }
    for (const d of cgroups.runDirs) expect(await cgroupExists(d)).toBe(false);
  });

  it('a process that outgrows its memory limit is OOM-killed by the kernel, and counted', async () => {
    const cgroups = run();
    try {
      const cg = cgroups.create('oom', { memoryBytes: 32 * 2 ** 20 });
      // 128 MiB of written (not merely reserved) memory, four times the limit.
      const [file, ...args] = cg.wrap(['python3', '-c', 's = "x" * (128 << 20); print(len(s))']);
      const r = await execa(file!, args, { reject: false });
      expect(r.signal).toBe('SIGKILL');
      expect(cg.oomKills()).toBe(1);
      expect(cg.peakBytes()).toBeLessThanOrEqual(32 * 2 ** 20);
    } finally {
      await cgroups.removeAll();
    }
  });

  it('removing a cgroup kills what is left in it', async () => {
    const cgroups = run();
    const cg = cgroups.create('left', {});
    const [file, ...args] = cg.wrap(['sleep', '60']);
    const child = execa(file!, args, { reject: false });
    await expect.poll(() => cg.pids(), { timeout: 5000 }).toEqual([child.pid]);
    await cg.remove();
    expect((await child).signal).toBe('SIGKILL');
    for (const d of cg.dirs) expect(await cgroupExists(d)).toBe(false);
    await cgroups.removeAll();
  });

  it('the sweeper removes a dead run\'s cgroups by run id, and leaves a live one and an unknown busy one', async () => {
    const dead = run();
    const live = run();
    const unknown = run();
    // Other test files sweep at the same time (the real sweeper, on the real runs folder): to them,
    // these cgroups are a live run's, recorded under this process, so they leave them to this test.
    // Without the records, one of them removed the "dead" cgroups first (CI, 2026-12-04).
    const records = [dead, live, unknown].map(({ runId }) => ({ runId, dir: RunDir.for(runId) }));
    await Promise.all(records.map(({ runId, dir }) => dir.create(ownRunRecord(runId, '127.255.255'))));
    dead.create('redis-cluster-0-redis', { memoryBytes: 2 ** 30 });
    live.create('redis-cluster-0-redis', { memoryBytes: 2 ** 30 });
    const busy = unknown.create('redis-cluster-0-redis', {});
    const [file, ...args] = busy.wrap(['sleep', '60']);
    const child = execa(file!, args, { reject: false });
    try {
      await expect.poll(() => busy.pids(), { timeout: 5000 }).toHaveLength(1);
      const result = await sweepCgroups(async () => [dead.runId, live.runId], (id) => id === dead.runId);
      for (const d of dead.runDirs) expect(result.removed).toContain(d);
      for (const d of [...live.runDirs, ...unknown.runDirs]) expect(await cgroupExists(d)).toBe(true);
      for (const d of dead.runDirs) expect(await cgroupExists(d)).toBe(false);
    } finally {
      await live.removeAll();
      await unknown.removeAll();
      await child;
      await Promise.all(records.map(({ dir }) => dir.remove()));
    }
  });
});

describe('cgroup layout', () => {
  it('reads v1 and v2 mounts from mountinfo', async () => {
    if (process.getuid?.() !== 0) return;
    const v1 = '30 25 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n31 25 0:27 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n';
    expect(await cgroupLayout(v1)).toEqual({ version: 1, memory: '/sys/fs/cgroup/memory', cpu: '/sys/fs/cgroup/cpu,cpuacct' });
    // A hierarchy mounted from a sub-cgroup is not managed.
    expect(await cgroupLayout('30 25 0:26 /docker/x /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n')).toMatch(/no cgroup memory controller/);
  });
});
