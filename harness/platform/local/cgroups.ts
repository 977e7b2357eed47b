import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerResources, SystemUnderTest } from '../../manifests/index.ts';
import { NotYet, waitUntil } from '../../util/wait.ts';
import { cgroupLayout, type CgroupLayout } from './cgroup-layout.ts';

/**
 * A container's memory and CPU limits, enforced as the kubelet enforces them: one cgroup per
 * container start, `/<hierarchy>/redis-chaos-<runId>/<pod>-<container>-<n>`. Named by run id so that
 * the sweeper finds a dead run's leftovers; created at the hierarchy's root rather than inside the
 * harness's own cgroup, which belongs to whatever started the harness and is not ours to fill.
 */
export const CGROUP_PREFIX = 'redis-chaos-';

/** What the manifests ask for, in the kernel's units. */
export interface CgroupLimits {
  memoryBytes?: number;
  cpuMillis?: number;
  /** `requests.cpu`: the cgroup's share of a contended CPU (cpu.shares / cpu.weight), as the kubelet sets it. */
  cpuRequestMillis?: number;
}

/** A container's `resources` as cgroup limits (memory requests are not enforced: the kubelet leaves them to scheduling). */
export function cgroupLimits(resources: ContainerResources): CgroupLimits {
  const { limits, requests } = resources;
  return {
    ...(limits.memoryBytes !== undefined ? { memoryBytes: limits.memoryBytes } : {}),
    ...(limits.cpuMillis !== undefined ? { cpuMillis: limits.cpuMillis } : {}),
    ...(requests.cpuMillis !== undefined ? { cpuRequestMillis: requests.cpuMillis } : {}),
  };
}

/** The first container of the manifests that sets resources, as `<workload>/<container>`; null if none does. */
export function limitedContainer(system: SystemUnderTest): string | null {
  const workloads = [{ w: system.redis.statefulSet }, ...(system.app ? [{ w: system.app.deployment }] : [])];
  for (const { w } of workloads) for (const c of w.template.containers) if (c.resources) return `${w.source.file} (document ${w.source.documentIndex}): container "${c.name}" resources`;
  return null;
}

/** The kubelet's CFS period; a quota is `cpuMillis × period / 1000`, at least 1 ms as the kubelet's. */
const CFS_PERIOD_US = 100_000;
const MIN_QUOTA_US = 1000;

/** The run's cgroups: a folder per hierarchy, and one child per container start. */
export class RunCgroups {
  private seq = 0;
  private prepared = false;
  private readonly live = new Set<ContainerCgroup>();

  constructor(readonly layout: CgroupLayout, readonly runId: string) {}

  /** The run's folder in each hierarchy that holds a controller it uses. */
  get runDirs(): string[] {
    const name = `${CGROUP_PREFIX}${this.runId}`;
    const l = this.layout;
    return l.version === 2 ? [path.join(l.root, name)] : [l.memory, ...(l.cpu && l.cpu !== l.memory ? [l.cpu] : [])].map((h) => path.join(h, name));
  }

  /**
   * A fresh cgroup with `limits`, named `<name>-<n>`. Synchronous on purpose: it runs inside a
   * container's start, between the kubelet's decision and the spawn, and is a handful of writes
   * to cgroupfs, which never block on a disk.
   */
  create(name: string, limits: CgroupLimits): ContainerCgroup {
    this.prepare();
    const l = this.layout;
    const leaf = `${name}-${++this.seq}`;
    const dirs = this.runDirs.map((d) => path.join(d, leaf));
    // recursive: a sweeper of another runs folder may have taken the run's folder while it was empty.
    for (const d of dirs) mkdirSync(d, { recursive: true });
    const cgroup = new ContainerCgroup(leaf, dirs, l.version, limits, () => this.live.delete(cgroup));
    this.live.add(cgroup);
    const write = (dir: string, file: string, value: string, optional = false) => {
      const f = path.join(dir, file);
      if (optional && !existsSync(f)) return;
      writeFileSync(f, value);
    };
    const [first, second] = dirs as [string, string | undefined];
    if (l.version === 1) {
      if (limits.memoryBytes !== undefined) {
        write(first, 'memory.limit_in_bytes', String(limits.memoryBytes));
        // No swap either, as on a Kubernetes node (kernels built without swap accounting have no memsw).
        write(first, 'memory.memsw.limit_in_bytes', String(limits.memoryBytes), true);
      }
      const cpuDir = l.cpu === l.memory ? first : second;
      if (cpuDir && limits.cpuMillis !== undefined) {
        write(cpuDir, 'cpu.cfs_period_us', String(CFS_PERIOD_US));
        write(cpuDir, 'cpu.cfs_quota_us', String(quotaUs(limits.cpuMillis)));
      }
      if (cpuDir && limits.cpuRequestMillis !== undefined) write(cpuDir, 'cpu.shares', String(cpuShares(limits.cpuRequestMillis)));
    } else {
      if (limits.memoryBytes !== undefined) {
        write(first, 'memory.max', String(limits.memoryBytes));
        write(first, 'memory.swap.max', '0', true);
        // The kubelet (1.28+) on cgroup v2 kills the whole container on an OOM, not one process of it.
        write(first, 'memory.oom.group', '1', true);
      }
      if (limits.cpuMillis !== undefined) write(first, 'cpu.max', `${quotaUs(limits.cpuMillis)} ${CFS_PERIOD_US}`);
      if (limits.cpuRequestMillis !== undefined) write(first, 'cpu.weight', String(cpuWeight(cpuShares(limits.cpuRequestMillis))));
    }
    return cgroup;
  }

  /** Every container cgroup of the run and the run's folders; processes still in them are killed first. */
  async removeAll(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.live].map((c) => c.remove(signal)));
    for (const dir of this.runDirs) await removeTree(dir, signal);
  }

  /** The run's folders, and on v2 the controllers delegated to them; once per run. */
  private prepare(): void {
    if (this.prepared) return;
    const l = this.layout;
    if (l.version === 2) enableControllers(l.root);
    for (const d of this.runDirs) mkdirSync(d, { recursive: true });
    if (l.version === 2) enableControllers(this.runDirs[0]!);
    this.prepared = true;
  }
}

/** v2: a child sees only the controllers its parent lists in cgroup.subtree_control. */
function enableControllers(dir: string): void {
  const available = readFileSync(path.join(dir, 'cgroup.controllers'), 'utf8').split(/\s+/);
  const wanted = ['memory', 'cpu'].filter((c) => available.includes(c));
  const enabled = readFileSync(path.join(dir, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
  const missing = wanted.filter((c) => !enabled.includes(c));
  if (missing.length) writeFileSync(path.join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
}

const quotaUs = (millis: number) => Math.max(MIN_QUOTA_US, Math.ceil((millis * CFS_PERIOD_US) / 1000));
/** The kubelet's conversions: shares = millis × 1024 / 1000 (at least 2), weight from shares. */
const cpuShares = (millis: number) => Math.max(2, Math.floor((millis * 1024) / 1000));
const cpuWeight = (shares: number) => Math.min(10_000, 1 + Math.floor(((shares - 2) * 9999) / 262_142));

/**
 * One container start's cgroup. The process joins it before it execs the container's command
 * (`wrap`), so everything the container starts, forks for AOF rewrites included, is charged to it.
 */
export class ContainerCgroup {
  private removing: Promise<void> | null = null;

  constructor(
    readonly name: string,
    /** One folder per hierarchy (v1: memory, then cpu); the first holds the memory controller. */
    readonly dirs: string[],
    readonly version: 1 | 2,
    readonly limits: CgroupLimits,
    private readonly onRemoved: () => void,
  ) {}

  /**
   * `argv` run by a shell that writes its own PID into every hierarchy's cgroup.procs, then execs
   * `argv`: the PID the platform spawns stays the container's main process, and not one page is
   * allocated outside the cgroup after the join. A failed join stops the start (exit 125, the
   * runtime's "could not run" code) rather than running the container unlimited.
   */
  wrap(argv: string[]): string[] {
    const script = 'for f; do [ "$f" = -- ] && break; echo $$ > "$f" || exit 125; shift; done; shift; exec "$@"';
    return ['/bin/sh', '-c', script, 'redis-chaos-cgroup', ...this.dirs.map((d) => path.join(d, 'cgroup.procs')), '--', ...argv];
  }

  /** How many processes the kernel's OOM killer has killed in this cgroup (0 if unreadable). */
  oomKills(): number {
    const file = this.version === 1 ? 'memory.oom_control' : 'memory.events';
    try {
      const text = readFileSync(path.join(this.dirs[0]!, file), 'utf8');
      return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
    } catch {
      return 0;
    }
  }

  /** The most memory the cgroup has held, in bytes, or null where the kernel does not say. */
  peakBytes(): number | null {
    const file = this.version === 1 ? 'memory.max_usage_in_bytes' : 'memory.peak';
    try {
      return Number(readFileSync(path.join(this.dirs[0]!, file), 'utf8').trim());
    } catch {
      return null;
    }
  }

  /** The PIDs in the cgroup now. */
  async pids(): Promise<number[]> {
    const all = await Promise.all(this.dirs.map((d) => readFile(path.join(d, 'cgroup.procs'), 'utf8').catch(() => '')));
    return [...new Set(all.flatMap((t) => t.split('\n').filter(Boolean).map(Number)))];
  }

  /**
   * Kills what is left in it (a container's processes are ours: it holds nothing else) and removes
   * it, retrying while the kernel still counts exiting processes. Idempotent.
   */
  remove(signal?: AbortSignal): Promise<void> {
    this.removing ??= (async () => {
      for (const d of this.dirs) await removeTree(d, signal);
      this.onRemoved();
    })();
    return this.removing;
  }
}

/** Removes a cgroup folder and its children, killing their processes; gone already is fine. */
async function removeTree(dir: string, signal?: AbortSignal): Promise<void> {
  const children = (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory());
  for (const c of children) await removeTree(path.join(dir, c.name), signal);
  await waitUntil(`cgroup ${dir} removed`, async () => {
    for (const pid of (await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      await rmdir(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      throw new NotYet(`${dir}: ${code ?? String(error)}`);
    }
  }, { timeoutMs: 10_000, intervalMs: 50, signal });
}

/**
 * The cgroups of dead runs. A run's folder (`redis-chaos-<runId>`) is removed when its run is dead;
 * one that names no run this machine has a record of only when nothing runs in it, since it may
 * belong to a run kept under another runs folder (as the sweeper treats network namespaces).
 */
export async function sweepCgroups(listRuns: () => Promise<string[]>, dead: (runId: string) => boolean): Promise<{ removed: string[] }> {
  const out = { removed: [] as string[] };
  const layout = await cgroupLayout();
  if (typeof layout === 'string') return out;
  const hierarchies = layout.version === 2 ? [layout.root] : [...new Set([layout.memory, ...(layout.cpu ? [layout.cpu] : [])])];
  const found = (await Promise.all(hierarchies.map(async (h) => (await readdir(h).catch(() => [] as string[]))
    .filter((n) => n.startsWith(CGROUP_PREFIX)).map((n) => ({ dir: path.join(h, n), runId: n.slice(CGROUP_PREFIX.length) }))))).flat();
  // Listed after the cgroups: a run creates its folder before its first cgroup, so it is listed.
  const known = new Set(await listRuns());
  for (const { dir, runId } of found) {
    if (known.has(runId) ? !dead(runId) : await busy(dir)) continue;
    await removeTree(dir);
    out.removed.push(dir);
  }
  return out;
}

async function busy(dir: string): Promise<boolean> {
  const children = (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory());
  for (const c of children) if (await busy(path.join(dir, c.name))) return true;
  return (await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '')).trim() !== '';
}
