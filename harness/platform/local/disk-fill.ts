import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { HarnessError } from '../../errors.ts';
import { failureText, runCommand } from '../../util/fork-server.ts';
import type { MountMap } from './translate.ts';
import { capacityUnavailable, ClaimVolumes, NO_CAPACITY, spaceOf, type ClaimSpec } from './volumes.ts';
import type { RunDir } from './run-dir.ts';

/** The one file a fill writes, at the root of the filled volume; nothing else there is the harness's. */
export const FILL_FILE = '.redis-chaos-fill';

/** Top-up writes after the fallocate, one block each: a bound, so that a fill always ends. */
const MAX_TOP_UP_BLOCKS = 4096;

/**
 * The run's claims and the fills made on them: `fillDisk` and `freeDisk` of the local platform.
 * Claims have a capacity of their own in namespaces mode where loop devices allow (volumes.ts);
 * elsewhere they are plain folders on the host's disk, and a fill is refused, since it would fill
 * the host's disk instead.
 */
export class PodDisks {
  /** Pod name → the claim folders filled in it. */
  private readonly filled = new Map<string, Set<string>>();

  private constructor(
    readonly volumes: ClaimVolumes,
    /** Why claims have no capacity here; null when they have. */
    readonly why: string | null,
  ) {}

  static async start(runDir: RunDir, claims: ClaimSpec[], namespaced: boolean): Promise<PodDisks> {
    const why = namespaced ? await capacityUnavailable() : 'pods run as bare processes (--isolation processes)';
    return new PodDisks(new ClaimVolumes(runDir, claims, why === null), why);
  }

  /** Fills the claim mounted at `mountPath` in the pod's main container until `leaveBytes` remain. */
  async fill(pod: string, mounts: MountMap, mountPath: string, leaveBytes: number): Promise<{ freeBytes: number; filledBytes: number }> {
    const dir = await this.claimAt(pod, mounts, mountPath);
    const result = await fillVolume(dir, leaveBytes);
    this.filled.set(pod, (this.filled.get(pod) ?? new Set()).add(dir));
    return result;
  }

  /** Removes what `fill` wrote in the pod's claims; a no-op when it wrote nothing. */
  async free(pod: string): Promise<void> {
    for (const dir of this.filled.get(pod) ?? []) await rm(path.join(dir, FILL_FILE), { force: true });
    this.filled.delete(pod);
  }

  private async claimAt(pod: string, mounts: MountMap, mountPath: string): Promise<string> {
    const mount = mountHolding(mounts, mountPath);
    if (!mount) throw new HarnessError(`fillDisk: ${pod} has no volume at ${mountPath} (its main container mounts ${mounts.map((m) => m.mountPath).join(', ') || 'nothing'})`);
    const volume = await this.volumes.volumeAt(mount.hostPath);
    if (!volume) {
      const why = this.why ? `${this.why}: ${NO_CAPACITY}` : 'it is no PersistentVolumeClaim with requests.storage, so it has no capacity of its own';
      throw new HarnessError(`fillDisk: ${pod}'s volume at ${mountPath} cannot be filled: ${why}`);
    }
    return mount.hostPath;
  }
}

/** The mount that holds `target` (a mount path, or a folder inside one, as Redis's `dir` may be): the deepest. */
export function mountHolding<M extends { mountPath: string }>(mounts: M[], target: string): M | undefined {
  const clean = (p: string) => path.posix.normalize(p).replace(/(.)\/$/, '$1');
  const wanted = clean(target);
  const holds = (m: M) => wanted === clean(m.mountPath) || wanted.startsWith(`${clean(m.mountPath).replace(/\/$/, '')}/`);
  return mounts.filter(holds).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

/**
 * Fills the filesystem at `dir` with one file until `leaveBytes` remain free (rounded up to less
 * than one block more): fallocate for the bulk, then one block at a time, since the filesystem's
 * own metadata for the extents takes a few blocks the first call could not know of.
 */
export async function fillVolume(dir: string, leaveBytes: number): Promise<{ freeBytes: number; filledBytes: number }> {
  const file = path.join(dir, FILL_FILE);
  const { freeBytes, blockSize } = await spaceOf(dir);
  const handle = await open(file, 'a');
  try {
    const bulk = Math.floor(Math.max(0, freeBytes - leaveBytes) / blockSize) * blockSize;
    if (bulk > 0) {
      const offset = (await handle.stat()).size;
      const result = await runCommand('fallocate', ['-o', String(offset), '-l', String(bulk), file], { timeout: 60_000 });
      // ENOSPC here is fine: the metadata took what the estimate missed; the top-up finds the rest.
      if (result.exitCode !== 0 && !/No space left/.test(result.stderr)) throw new HarnessError(`fillDisk: fallocate ${file}: ${failureText(result)}`);
    }
    const block = Buffer.alloc(blockSize);
    for (let i = 0; i < MAX_TOP_UP_BLOCKS && (await spaceOf(dir)).freeBytes >= leaveBytes + blockSize; i++) {
      try {
        await handle.write(block);
        await handle.sync();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw error;
      }
    }
    return { freeBytes: (await spaceOf(dir)).freeBytes, filledBytes: (await handle.stat()).size };
  } finally {
    await handle.close();
  }
}
