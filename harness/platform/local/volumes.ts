import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, statfs } from 'node:fs/promises';
import path from 'node:path';
import { failureText, runCommand } from '../../util/fork-server.ts';
import { HarnessError, errorMessage } from '../../errors.ts';
import { formatBytes, memoryBytes, QuantityError } from '../../manifests/quantity.ts';
import { which } from '../prerequisites.ts';
import { NotYet, waitUntil } from '../../util/wait.ts';
import type { RunDir } from './run-dir.ts';

/** What a claim template asks for: its name and `resources.requests.storage`. */
export interface ClaimSpec {
  name: string;
  storage: string | undefined;
}

/** A claim that has a filesystem of its own: its image file and the folder it is mounted at. */
interface Volume {
  /** The PVC's name, `<template>-<pod>`, as Kubernetes names it. */
  pvc: string;
  dir: string;
  image: string;
  bytes: number;
}

const TOOLS = ['losetup', 'mkfs.ext4', 'mount', 'umount', 'fallocate'];
const EXEC = { timeout: 30_000 } as const;
/** How long a loop device marked to detach is waited for: a starting pod drops its copy of the mounts within milliseconds. */
const DETACH_WAIT_MS = 3_000;

/**
 * Why a claim cannot have a capacity of its own on this machine, or null when it can. A PVC is
 * an ext4 image on a loop device, which takes root, loop devices and e2fsprogs.
 */
export async function capacityUnavailable(): Promise<string | null> {
  if (process.platform !== 'linux') return `${process.platform} is not Linux`;
  if (process.getuid?.() !== 0) return 'not running as root';
  if (!existsSync('/dev/loop-control')) return 'no loop devices (/dev/loop-control is missing)';
  const missing: string[] = [];
  for (const tool of TOOLS) if (!(await which(tool))) missing.push(tool);
  if (missing.length) return `${missing.join(', ')} not on PATH (apt-get install util-linux mount e2fsprogs)`;
  if (!/\text4$/m.test(await readFile('/proc/filesystems', 'utf8').catch(() => ''))) return 'the kernel has no ext4';
  return null;
}

/** The one line said when claims run without a limit. */
export const NO_CAPACITY = 'every PersistentVolumeClaim is a plain folder on the host\'s disk, with no capacity of its own (a full volume cannot happen, and fillDisk is refused)';

/**
 * The run's PersistentVolumeClaims. With `capacity`, each is an ext4 filesystem of the size it
 * requests, in a sparse image file in the run folder (`pvc/<claim>-<pod>.img`), on a loop device,
 * mounted at the claim's folder: created once per claim per run, so it outlives its pod as a PVC
 * does, and a full one gives ENOSPC. ext4 on a loop device rather than a size-limited tmpfs: its
 * fsync reaches a disk (docs/volumes.md has the figures). Without `capacity`, a claim is a
 * plain folder.
 */
export class ClaimVolumes {
  private readonly volumes = new Map<string, Promise<Volume | null>>();
  private closed = false;

  constructor(
    private readonly runDir: RunDir,
    private readonly claims: ClaimSpec[],
    readonly capacity: boolean,
  ) {}

  /** The claim's folder for `pod`, with its filesystem made and mounted the first time it is asked for. */
  async ensure(claim: string, pod: string): Promise<string> {
    const dir = this.runDir.claim(claim, pod);
    if (this.closed) throw new HarnessError(`claim ${path.basename(dir)}: the run's volumes are gone`);
    // Concurrent creates of one claim (a pod's containers) share one promise: one mkfs, one mount.
    let volume = this.volumes.get(dir);
    if (!volume) {
      volume = this.create(claim, dir);
      this.volumes.set(dir, volume);
    }
    await volume;
    return dir;
  }

  /** The filesystem at `dir` when it is one of this run's sized claims; null for a plain folder. */
  async volumeAt(dir: string): Promise<{ pvc: string; bytes: number } | null> {
    const volume = await this.volumes.get(path.resolve(dir))?.catch(() => null);
    return volume ? { pvc: volume.pvc, bytes: volume.bytes } : null;
  }

  /** Unmounts every claim and detaches its loop device; the images stay in the run folder with the data. */
  async down(): Promise<void> {
    this.closed = true;
    const volumes = (await Promise.all([...this.volumes.values()].map((pending) => pending.catch(() => null)))).filter((v) => v !== null);
    await release(volumes);
  }

  private async create(claim: string, dir: string): Promise<Volume | null> {
    await mkdir(dir, { recursive: true });
    const storage = this.claims.find((c) => c.name === claim)?.storage;
    if (!this.capacity || storage === undefined) return null;
    let bytes: number;
    try {
      bytes = memoryBytes(storage);
    } catch (error) {
      throw new HarnessError(`volumeClaimTemplate "${claim}": requests.storage ${error instanceof QuantityError ? error.message : errorMessage(error)}`);
    }
    const image = `${dir}.img`;
    // Sparse: a 1Gi claim costs the host only what is written to it.
    const file = await open(image, 'w');
    await file.truncate(bytes);
    await file.close();
    // No blocks reserved for root (Redis runs as root in the pods): the claim's size is all usable.
    // mkfs gives a claim under 4 MiB one inode per 8 KiB (16 for 128Ki), fewer than a Redis data
    // folder's files during a sync (its temp file then fails with ENOSPC though blocks are free):
    // a real volume is never that short of inodes, so such a claim gets 64.
    const inodes = bytes < 4 * 2 ** 20 ? ['-N', '64'] : [];
    await run('mkfs.ext4', ['-F', '-q', '-m', '0', '-E', 'nodiscard', ...inodes, '-L', claim.slice(0, 16), image], `claim ${path.basename(dir)} (${formatBytes(bytes)})`);
    // `-o loop` attaches with autoclear: the loop device goes with the last unmount, wherever that is.
    await run('mount', ['-t', 'ext4', '-o', 'loop', image, dir], `claim ${path.basename(dir)}`);
    return { pvc: path.basename(dir), dir, image, bytes };
  }
}

/**
 * Unmounts each claim's folder (lazily if something still holds it) and detaches any loop device
 * backed by its image. All claims at once, as the kubelet detaches a node's volumes, and in as few
 * processes as it takes: one umount for them all, and the loop devices read from sysfs. Each process
 * costs milliseconds (forked from the harness itself, 10-25 ms of its event loop at the end of a run;
 * see util/fork-server.ts).
 */
export async function release(claims: readonly { dir: string; image: string }[]): Promise<void> {
  if (claims.length === 0) return;
  const errors: string[] = [];
  const mounted = async () => {
    const points = new Set(await mountPoints());
    return claims.map((c) => c.dir).filter((dir) => points.has(dir));
  };
  const dirs = await mounted();
  if (dirs.length && (await runCommand('umount', dirs, EXEC)).exitCode !== 0) {
    // One was busy (or gone meanwhile): each one still mounted on its own, lazily if need be.
    for (const dir of await mounted()) await unmount(dir).catch((e: unknown) => errors.push(errorMessage(e)));
  }
  const images = new Set(claims.map((c) => c.image));
  const backedByClaim = (file: string) => images.has(file);
  for (const device of await loopsBackedBy(backedByClaim)) await detach(device).catch((e: unknown) => errors.push(errorMessage(e)));
  // A device some other mount namespace still holds is only marked to go when it lets go (a pod
  // that was starting: enter.sh drops its copy of the host's mounts within milliseconds).
  await loopsDetached(claims.length === 1 ? `the loop device of ${path.basename(claims[0]!.image)}` : `the loop devices of ${claims.length} claims`, backedByClaim, DETACH_WAIT_MS).catch(() => undefined);
  if (errors.length) throw new Error(errors.join('; '));
}

/** Resolves once no loop device is backed by `image`; rejects after `timeoutMs`. */
export function loopDetached(image: string, timeoutMs: number): Promise<void> {
  return loopsDetached(`the loop device of ${path.basename(image)}`, (file) => file === image, timeoutMs);
}

/** Resolves once no loop device's backing file matches; rejects after `timeoutMs`. */
function loopsDetached(what: string, match: (file: string) => boolean, timeoutMs: number): Promise<void> {
  return waitUntil(`${what} to detach`, async () => {
    if ((await loopsBackedBy(match)).length) throw new NotYet('still attached');
  }, { timeoutMs, intervalMs: 50 });
}

/** umount; lazily when something still holds it (the loop device then goes when that lets go). */
async function unmount(dir: string): Promise<void> {
  const plain = await runCommand('umount', [dir], EXEC);
  if (plain.exitCode === 0) return;
  const lazy = await runCommand('umount', ['-l', dir], EXEC);
  if (lazy.exitCode !== 0) throw new Error(`umount ${dir}: ${lazy.stderr ? failureText(lazy) : failureText(plain)}`);
}

/** Mount points at or below `root`, from this mount namespace's mountinfo, deepest first. */
export async function mountsUnder(root: string): Promise<string[]> {
  const points = (await mountPoints()).filter((p) => p === root || p.startsWith(root + path.sep));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Every mount point in this mount namespace's mountinfo. */
async function mountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text.split('\n').map((l) => unescape(l.split(' ')[4] ?? '')).filter((p) => p !== '');
}

/**
 * Loop devices whose backing file matches (a deleted file reads "<path> (deleted)"), from sysfs,
 * where losetup reads them too, without a process; from `losetup -J` where /sys/block cannot be read.
 */
export async function loopsBackedBy(match: (file: string) => boolean): Promise<string[]> {
  const fromSysfs = await loopBackingFiles().catch(() => null);
  const devices = fromSysfs ?? (await losetupBackingFiles());
  return devices.filter((d) => d.file && match(d.file.replace(/ \(deleted\)$/, ''))).map((d) => d.name);
}

/** Every attached loop device and its backing file: /sys/block/loopN/loop exists only while one is attached. */
async function loopBackingFiles(): Promise<{ name: string; file: string }[]> {
  const loops = (await readdir('/sys/block')).filter((n) => /^loop\d+$/.test(n));
  const found = await Promise.all(loops.map(async (n) => {
    const file = await readFile(`/sys/block/${n}/loop/backing_file`, 'utf8').catch(() => null);
    return file === null ? null : { name: `/dev/${n}`, file: file.trimEnd() };
  }));
  return found.filter((d) => d !== null);
}

async function losetupBackingFiles(): Promise<{ name: string; file: string | null }[]> {
  const listed = await runCommand('losetup', ['-J', '-l'], EXEC);
  if (listed.exitCode !== 0 || !listed.stdout.trim()) return [];
  const { loopdevices } = JSON.parse(listed.stdout) as { loopdevices: { name: string; 'back-file': string | null }[] };
  return loopdevices.map((d) => ({ name: d.name, file: d['back-file'] }));
}

async function detach(device: string): Promise<void> {
  const result = await runCommand('losetup', ['-d', device], EXEC);
  // Already gone (autoclear got there first) is what was wanted.
  if (result.exitCode !== 0 && !/No such device|No such file/i.test(result.stderr)) throw new Error(`losetup -d ${device}: ${failureText(result)}`);
}

/**
 * The sweeper's part: mounts and loop devices of dead runs, found by the run folder they live in
 * (`<runs root>/<runId>/pvc/…`). Nothing outside a dead run's folder is touched.
 */
export async function sweepVolumes(runsRoot: string, dead: (runId: string) => boolean): Promise<string[]> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return [];
  const swept: string[] = [];
  const runOf = (file: string) => (file.startsWith(runsRoot + path.sep) ? file.slice(runsRoot.length + 1).split(path.sep)[0]! : null);
  const ofDeadRun = (file: string) => {
    const runId = runOf(file);
    return runId !== null && file.includes(`${path.sep}pvc${path.sep}`) && dead(runId);
  };
  for (const point of await mountsUnder(runsRoot)) {
    if (!ofDeadRun(point)) continue;
    await unmount(point).catch(() => undefined);
    swept.push(point);
  }
  for (const device of await loopsBackedBy(ofDeadRun)) {
    await detach(device).catch(() => undefined);
    swept.push(device);
  }
  // A device some other mount namespace still holds (a pod starting at that moment copied the
  // host's mounts) is only marked to go; wait for it, as release() does, so the sweep is done when
  // it returns. One held longer stays marked, goes when its holder does, and a later sweep lists it.
  await loopsDetached('the loop devices of dead runs', ofDeadRun, DETACH_WAIT_MS).catch(() => undefined);
  return swept;
}

/** Free and total bytes of the filesystem holding `dir`, as statfs(2) says (the bytes an unprivileged write may use). */
export async function spaceOf(dir: string): Promise<{ freeBytes: number; totalBytes: number; blockSize: number }> {
  const s = await statfs(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize, blockSize: s.bsize };
}

async function run(file: string, args: string[], what: string): Promise<void> {
  const result = await runCommand(file, args, EXEC);
  if (result.exitCode !== 0) throw new HarnessError(`${what}: ${file} ${args.join(' ')} failed: ${failureText(result).split('\n')[0]}`);
}
