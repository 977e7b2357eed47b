// Claims as ext4 filesystems on real loop devices: their size, ENOSPC, surviving their pod, the
// fill and free, and nothing left behind by down() or, for a dead run, by the sweeper.
import { execa } from 'execa';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunDir } from './run-dir.ts';
import { capacityUnavailable, ClaimVolumes, loopsBackedBy, mountsUnder, spaceOf, sweepVolumes } from './volumes.ts';
import { FILL_FILE, fillVolume, mountHolding, PodDisks } from './disk-fill.ts';
import { sweepLocal } from './sweeper.ts';
import { untilExeced } from '../../../test/exec-wait.ts';
import { NotYet, waitUntil } from '../../util/wait.ts';

const why = await capacityUnavailable();
const roots: string[] = [];
async function tempRoot(): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'volumes-test-'));
  roots.push(root);
  return root;
}
/** What this test left on the machine under `root`: mounts and loop devices. */
async function leftUnder(root: string): Promise<string[]> {
  return [...(await mountsUnder(root)), ...(await loopsBackedBy((f) => f.startsWith(root + path.sep)))];
}
afterAll(async () => {
  for (const root of roots) {
    await sweepVolumes(path.dirname(root), (id) => id === path.basename(root));
    await rm(root, { recursive: true, force: true });
  }
});

describe.skipIf(why !== null)(`claims with a capacity (${why ?? 'loop devices available'})`, () => {
  it('gives each claim an ext4 of its requested size that fills up with ENOSPC, and outlives its pod', async () => {
    const root = await tempRoot();
    const volumes = new ClaimVolumes(new RunDir(root), [{ name: 'data', storage: '8Mi' }], true);
    const dir = await volumes.ensure('data', 'redis-cluster-0');
    expect(dir).toBe(path.join(root, 'pvc', 'data-redis-cluster-0'));
    const { totalBytes, freeBytes } = await spaceOf(dir);
    // ext4's own metadata (inode tables, journal) takes some of the 8 MiB; the rest is the claim's.
    expect(totalBytes).toBeLessThanOrEqual(8 * 2 ** 20);
    expect(freeBytes).toBeGreaterThan(4 * 2 ** 20);
    await expect(writeFile(path.join(dir, 'too-big'), Buffer.alloc(9 * 2 ** 20))).rejects.toMatchObject({ code: 'ENOSPC' });
    await rm(path.join(dir, 'too-big'));
    // The pod is re-created: the same filesystem, data intact, one mount.
    await writeFile(path.join(dir, 'nodes.conf'), 'kept');
    expect(await volumes.ensure('data', 'redis-cluster-0')).toBe(dir);
    expect(await readdir(dir)).toContain('nodes.conf');
    expect(await mountsUnder(dir)).toEqual([dir]);
    expect(await volumes.volumeAt(dir)).toEqual({ pvc: 'data-redis-cluster-0', bytes: 8 * 2 ** 20 });

    await volumes.down();
    expect(await leftUnder(root)).toEqual([]);
    // The image keeps the data; the folder is an empty mount point again.
    expect((await readdir(path.join(root, 'pvc'))).sort()).toEqual(['data-redis-cluster-0', 'data-redis-cluster-0.img']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('fills a claim to the byte it was asked to leave (to the block), and frees it', async () => {
    const root = await tempRoot();
    const disks = await PodDisks.start(new RunDir(root), [{ name: 'data', storage: '16Mi' }], true);
    const dir = await disks.volumes.ensure('data', 'pod-0');
    const mounts = [{ mountPath: '/data', hostPath: dir }];
    try {
      const before = (await spaceOf(dir)).freeBytes;
      const full = await disks.fill('pod-0', mounts, '/data/', 0);
      expect(full.freeBytes).toBe(0);
      expect(full.filledBytes).toBeGreaterThan(before - 64 * 1024);
      await expect(writeFile(path.join(dir, 'appendonly.aof'), Buffer.alloc(8192))).rejects.toMatchObject({ code: 'ENOSPC' });
      await disks.free('pod-0');
      expect(await readdir(dir)).not.toContain(FILL_FILE);
      expect((await spaceOf(dir)).freeBytes).toBeGreaterThan(before - 64 * 1024);
      // Leaving some: at least that much, less than one block more.
      const { blockSize } = await spaceOf(dir);
      const partly = await fillVolume(dir, 100_000);
      expect(partly.freeBytes).toBeGreaterThanOrEqual(100_000);
      expect(partly.freeBytes).toBeLessThan(100_000 + blockSize);
      await disks.free('pod-0'); // not recorded by fillVolume alone: the file stays
      expect(await readdir(dir)).toContain(FILL_FILE);
      await expect(disks.fill('pod-0', mounts, '/conf', 0)).rejects.toThrow('fillDisk: pod-0 has no volume at /conf (its main container mounts /data)');
    } finally {
      await disks.volumes.down();
    }
    expect(await leftUnder(root)).toEqual([]);
  });

  it('the sweeper unmounts and detaches the claims of a dead run, and only those', async () => {
    const runs = await tempRoot();
    const dead = new ClaimVolumes(new RunDir(path.join(runs, 'dead-run')), [{ name: 'data', storage: '4Mi' }], true);
    const live = new ClaimVolumes(new RunDir(path.join(runs, 'live-run')), [{ name: 'data', storage: '4Mi' }], true);
    await dead.ensure('data', 'p-0');
    await dead.ensure('data', 'p-1');
    const liveDir = await live.ensure('data', 'p-0');
    try {
      expect((await leftUnder(path.join(runs, 'dead-run'))).length).toBe(4); // 2 mounts, 2 loop devices
      const swept = await sweepVolumes(runs, (id) => id === 'dead-run');
      expect(swept.filter((s) => s.startsWith('/dev/loop')).length).toBeLessThanOrEqual(2); // autoclear may have detached them already
      expect(swept.filter((s) => s.startsWith(runs)).length).toBe(2);
      expect(await leftUnder(path.join(runs, 'dead-run'))).toEqual([]);
      expect(await mountsUnder(liveDir)).toEqual([liveDir]);
    } finally {
      await live.down();
    }
    expect(await leftUnder(runs)).toEqual([]);
  });

  it('down() unmounts every claim, one held busy too (lazily), and its loop device goes when the holder does', async () => {
    const root = await tempRoot();
    const volumes = new ClaimVolumes(new RunDir(root), [{ name: 'data', storage: '4Mi' }], true);
    const dirs = await Promise.all(['p-0', 'p-1', 'p-2'].map((pod) => volumes.ensure('data', pod)));
    // A process whose working folder is in one claim: a plain umount of it fails with "target is busy".
    const holder = execa('sleep', ['1'], { cwd: dirs[1], reject: false });
    await untilExeced(holder.pid, 'sleep', 'the holder to start in its claim', 5_000);
    try {
      await volumes.down();
      expect(await mountsUnder(root)).toEqual([]);
    } finally {
      await holder;
    }
    // The busy one's device was only marked to go (autoclear): it goes once nothing holds it.
    await waitUntil('the busy claim\'s loop device to go', async () => {
      if ((await leftUnder(root)).length) throw new NotYet('still attached');
    }, { timeoutMs: 5_000, intervalMs: 50 });
  });

  it('finds loop devices as losetup lists them, a deleted backing file too', async () => {
    const root = await tempRoot();
    const image = path.join(root, 'listed.img');
    await writeFile(image, Buffer.alloc(2 ** 20));
    const device = (await execa('losetup', ['-f', '--show', image])).stdout.trim();
    try {
      const listed = async () => (JSON.parse((await execa('losetup', ['-J', '-l', device])).stdout) as { loopdevices: { 'back-file': string }[] }).loopdevices[0]!['back-file'];
      expect(await listed()).toBe(image);
      expect(await loopsBackedBy((f) => f === image)).toEqual([device]);
      await rm(image);
      expect(await listed()).toBe(`${image} (deleted)`);
      expect(await loopsBackedBy((f) => f === image)).toEqual([device]);
    } finally {
      await execa('losetup', ['-d', device]);
    }
    expect(await loopsBackedBy((f) => f === image)).toEqual([]);
  });

  it("waits for a dead run's loop device that another mount namespace still holds", async () => {
    // A pod starting at that moment (enter.sh) holds a private copy of the host's mounts until it
    // drops them; umount here does not reach that copy, and losetup -d only marks the device to go.
    const runs = await tempRoot();
    const dead = new ClaimVolumes(new RunDir(path.join(runs, 'dead-run')), [{ name: 'data', storage: '4Mi' }], true);
    await dead.ensure('data', 'p-0');
    const holder = execa('unshare', ['-m', '--propagation', 'private', 'sleep', '1.5'], { reject: false });
    await untilExeced(holder.pid, 'sleep', 'the holder to take its copy of the mounts', 5_000);
    try {
      await sweepVolumes(runs, (id) => id === 'dead-run');
      expect(await leftUnder(runs)).toEqual([]);
    } finally {
      await holder;
    }
  });
});

describe.skipIf(why !== null)('the sweeper and claims', () => {
  it("unmounts and detaches a SIGKILLed harness's claims, found by its run folder", async () => {
    const harness = execa(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/crashing-claims-harness.ts')], {
      buffer: false, reject: false, timeout: 60_000,
    });
    const line = await new Promise<string>((resolve, reject) => {
      harness.stdout!.once('data', (d: Buffer) => resolve(d.toString()));
      harness.once('exit', () => reject(new Error('the fixture harness exited before starting its pod')));
    });
    const { runId, isolation } = JSON.parse(line) as { runId: string; isolation: string };
    harness.kill('SIGKILL');
    await harness;
    const root = RunDir.for(runId).root;
    const claim = path.join(root, 'pvc', 'data-solo-0');
    // Claims have a capacity in namespaces mode only; process mode leaves plain folders.
    expect((await mountsUnder(root)).includes(claim)).toBe(isolation === 'namespaces');
    const swept = await sweepLocal({ onlyRunId: runId });
    expect(swept.runs).toEqual([runId]);
    if (isolation === 'namespaces') expect(swept.volumes).toContain(claim);
    expect(await leftUnder(root)).toEqual([]);
  });
});

describe('claims without a capacity', () => {
  it('are plain folders, and a fill is refused in one line saying why', async () => {
    const root = await tempRoot();
    const disks = await PodDisks.start(new RunDir(root), [{ name: 'data', storage: '1Gi' }], false);
    const dir = await disks.volumes.ensure('data', 'pod-0');
    expect(await mountsUnder(dir)).toEqual([]);
    await expect(disks.fill('pod-0', [{ mountPath: '/data', hostPath: dir }], '/data', 0)).rejects.toThrow(
      "fillDisk: pod-0's volume at /data cannot be filled: pods run as bare processes (--isolation processes): every PersistentVolumeClaim is a plain folder on the host's disk, with no capacity of its own (a full volume cannot happen, and fillDisk is refused)");
    await disks.volumes.down();
  });
});

describe('the mount a fill targets', () => {
  it('is the deepest mount holding the path: a mount path, or a folder in one (Redis\'s dir may be)', () => {
    const mounts = [{ mountPath: '/conf' }, { mountPath: '/data' }, { mountPath: '/data/aof/' }];
    expect(mountHolding(mounts, '/data/')).toBe(mounts[1]);
    expect(mountHolding(mounts, '/data/redis')).toBe(mounts[1]);
    expect(mountHolding(mounts, '/data/aof/x')).toBe(mounts[2]);
    expect(mountHolding(mounts, '/database')).toBeUndefined();
    expect(mountHolding(mounts, '/')).toBeUndefined();
  });
});
