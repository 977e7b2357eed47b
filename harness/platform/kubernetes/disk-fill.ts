import type { Exec } from '@kubernetes/client-node';
import { HarnessError, errorMessage } from '../../errors.ts';
import type { SystemUnderTest } from '../../manifests/index.ts';
import { formatBytes, memoryBytes } from '../../manifests/quantity.ts';
import { FILL_FILE, mountHolding } from '../local/disk-fill.ts';
import type { ExecResult } from '../types.ts';
import { execIn } from './streams.ts';

/** A command run in the pod's Redis container (`kubectl exec`). */
export type PodExec = (argv: string[]) => Promise<ExecResult>;

/** The claim template mounted at `path` in the Redis container, with what it requests; null if none is. */
export function claimAt(system: SystemUnderTest, path: string): { name: string; storage: string | undefined } | null {
  const mount = mountHolding(system.redis.container.volumeMounts, path);
  return system.redis.statefulSet.volumeClaimTemplates.find((t) => t.name === mount?.name) ?? null;
}

/** `df -Pk <path>`: POSIX output (busybox's too), sizes in KiB; the last line is the filesystem's. */
export function parseDf(stdout: string): { totalBytes: number; freeBytes: number } {
  const fields = stdout.trim().split('\n').at(-1)?.trim().split(/\s+/) ?? [];
  const [total, , available] = fields.slice(1, 4).map(Number);
  if (total === undefined || available === undefined || !Number.isFinite(total) || !Number.isFinite(available)) throw new Error(`df printed no sizes: ${JSON.stringify(stdout.slice(0, 200))}`);
  return { totalBytes: total * 1024, freeBytes: available * 1024 };
}

/**
 * Fills the volume at `path` in a pod until `leaveBytes` remain, from inside the Redis container
 * (fallocate where the image has it, dd otherwise; for zero, dd tops up until ENOSPC). Refused
 * when the volume has more than twice its claim's request free: then it is not limited to its
 * claim (a hostPath-like provisioner shares the node's disk), and filling it would fill the node.
 */
export async function fillInPod(exec: PodExec, pod: string, path: string, leaveBytes: number, claim: { name: string; storage: string | undefined } | null): Promise<{ freeBytes: number; filledBytes: number }> {
  if (!claim) throw new HarnessError(`fillDisk: ${pod} has no PersistentVolumeClaim mounted at ${path}`);
  const pvc = `${claim.name}-${pod}`;
  const { freeBytes } = await df(exec, pod, path);
  const requested = claim.storage === undefined ? null : memoryBytes(claim.storage);
  if (requested === null || freeBytes > 2 * requested) {
    throw new HarnessError(`fillDisk: ${pod}'s volume at ${path} (claim ${pvc}, requests.storage ${claim.storage ?? 'unset'}) has ${formatBytes(freeBytes)} free, more than twice its request: its storage is not limited to the claim (it shares a disk, as hostPath and local-path volumes do), and filling it would fill the node's disk`);
  }
  const file = `${path.replace(/\/$/, '')}/${FILL_FILE}`;
  const bulk = Math.max(0, freeBytes - leaveBytes);
  const mib = Math.floor(bulk / 2 ** 20);
  const script = [
    `f='${file}'`,
    `fallocate -l ${bulk} "$f" 2>/dev/null || dd if=/dev/zero of="$f" bs=1048576 count=${mib} 2>/dev/null || true`,
    // The filesystem's metadata and rounding leave a little: zero means zero, so dd takes the rest.
    ...(leaveBytes === 0 ? ['dd if=/dev/zero bs=4096 >> "$f" 2>/dev/null || true'] : []),
    'sync',
    'ls -ln "$f"',
  ].join('\n');
  const filled = await exec(['sh', '-c', script]);
  if (filled.exitCode !== 0) throw new HarnessError(`fillDisk: ${pod}: filling ${file} failed: ${(filled.stderr || filled.stdout).trim().split('\n')[0]}`);
  const filledBytes = Number(filled.stdout.trim().split(/\s+/)[4] ?? Number.NaN);
  return { freeBytes: (await df(exec, pod, path)).freeBytes, filledBytes };
}

/** Removes the fill file from the volume at `path`. */
export async function freeInPod(exec: PodExec, pod: string, path: string): Promise<void> {
  const result = await exec(['rm', '-f', `${path.replace(/\/$/, '')}/${FILL_FILE}`]);
  if (result.exitCode !== 0) throw new HarnessError(`freeDisk: ${pod}: rm ${FILL_FILE} in ${path} failed: ${result.stderr.trim()}`);
}

/** A run's disk fills: the volumes fillDisk filled in each pod, so that freeDisk removes each fill file it wrote. */
export class KubernetesDisks {
  /** Pods whose volumes fillDisk filled: the mount paths, for freeDisk. */
  private readonly filled = new Map<string, string[]>();

  constructor(private readonly exec: Exec, private readonly namespace: string, private readonly system: SystemUnderTest) {}

  async fill(name: string, { path, leaveBytes }: { path: string; leaveBytes: number }): Promise<{ freeBytes: number; filledBytes: number }> {
    const result = await fillInPod(this.execInRedis(name), name, path, leaveBytes, claimAt(this.system, path));
    this.filled.set(name, [...new Set([...(this.filled.get(name) ?? []), path])]);
    return result;
  }

  async free(name: string): Promise<void> {
    for (const path of this.filled.get(name) ?? []) await freeInPod(this.execInRedis(name), name, path);
    this.filled.delete(name);
  }

  /** `kubectl exec` in the pod's Redis container; a fill of a large volume with dd takes a while. */
  private execInRedis(pod: string): PodExec {
    return (argv) => execIn(this.exec, this.namespace, pod, this.system.redis.container.name, argv, 300_000);
  }
}

async function df(exec: PodExec, pod: string, path: string): Promise<{ totalBytes: number; freeBytes: number }> {
  const result = await exec(['df', '-Pk', path]);
  if (result.exitCode !== 0) throw new HarnessError(`fillDisk: ${pod}: df ${path} failed: ${result.stderr.trim() || `exit ${result.exitCode}`}`);
  try {
    return parseDf(result.stdout);
  } catch (error) {
    throw new HarnessError(`fillDisk: ${pod}: ${errorMessage(error)}`);
  }
}
