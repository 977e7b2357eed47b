import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { RUN_MARKER_ENV } from '../../util/run-id.ts';
import { isOwnerAlive, listRuns, RunDir, runIdOf, runsRoot } from './run-dir.ts';
import { sweepKernelObjects } from './sandbox/sweep-kernel.ts';
import { sweepVolumes } from './volumes.ts';
import { sweepCgroups } from './cgroups.ts';

const RECORDLESS_GRACE_MS = 60_000;

export interface SweepResult {
  runs: string[];
  killed: number[];
  /** Processes of runs whose folder is gone (`orphans`), killed; also counted in `killed`. */
  orphans: number[];
  /** Namespaces mode: network namespaces and links (bridges, veths) of dead runs, removed. */
  netns: string[];
  links: string[];
  /** Claims of dead runs: mount points unmounted and loop devices detached. */
  volumes: string[];
  /** cgroups (`redis-chaos-<runId>`) of dead runs, removed. */
  cgroups: string[];
}

/**
 * Finds what crashed runs left behind and removes it. A process belongs to a run if its
 * environment carries REDIS_CHAOS_RUN=<runId> (every process the local platform starts does,
 * and redis-server keeps it across update-node.sh's exec), or if its working directory lies in the
 * run's folder, or, in a namespaces-mode container, if its root's upper layer does: redis-server's
 * proc-title rewrite clobbers the memory /proc/<pid>/environ shows. A run is dead when the harness process
 * that owns it is gone. Nothing is ever matched by process name.
 */
export async function sweepLocal(options: { onlyRunId?: string; includeKept?: boolean; orphans?: boolean } = {}): Promise<SweepResult> {
  const runs = await listRuns();
  // A run kept with --keep counts as live for the automatic sweep; `--sweep` removes it.
  const live = new Set(runs.filter((r) => r.record && (isOwnerAlive(r.record) || (r.record.kept && !options.includeKept))).map((r) => r.record!.runId));
  // A folder without a record is a crashed start, unless it is younger than a minute: then it may
  // be a run writing its record right now, and it is left alone.
  for (const r of runs) if (!r.record && (r.ageMs ?? Infinity) < RECORDLESS_GRACE_MS) live.add(runIdOf(r));
  const result: SweepResult = { runs: [], killed: [], orphans: [], netns: [], links: [], volumes: [], cgroups: [] };
  // Dead means listed above and not live: a run that started after the listing is never swept.
  const listed = new Set(runs.map(runIdOf));
  const dead = (runId: string) => listed.has(runId) && !live.has(runId) && (!options.onlyRunId || runId === options.onlyRunId);
  // Only a dead run's processes are killed: with none dead, /proc need not be read (every run's
  // start sweeps), unless asked for orphans (`--sweep`).
  const scanned = options.orphans || runs.some((r) => dead(runIdOf(r))) ? await scanProcesses() : new Map<number, Marked>();
  const kill = (pid: number) => {
    try {
      process.kill(pid, 'SIGKILL');
      return true;
    } catch {
      return false; // already gone
    }
  };
  // Only processes of listed dead runs: redis-server's proc title can clobber the marker's value,
  // and a garbled id names no folder, which must not make a live process look orphaned.
  for (const [pid, { runId }] of scanned) if (dead(runId) && pid !== process.pid && kill(pid)) result.killed.push(pid);
  // An orphan: a process known by a path (its working folder, its container's upper layer) in a
  // run whose folder is gone, which a run's teardown removes only after its processes. Its folder
  // is looked for again at the kill: a run that started after the scan has one.
  if (options.orphans) {
    for (const [pid, { pathRunId }] of scanned) {
      if (!pathRunId || listed.has(pathRunId) || existsSync(RunDir.for(pathRunId).root) || pid === process.pid || !kill(pid)) continue;
      result.orphans.push(pid);
      result.killed.push(pid);
    }
  }
  const kernel = await sweepKernelObjects(async () => (await listRuns()).map(runIdOf), dead);
  result.netns = kernel.netns;
  result.links = kernel.links;
  result.killed.push(...kernel.killed);
  // Once their processes are gone, and before their folders (and images) are removed.
  result.volumes = await sweepVolumes(runsRoot(), dead);
  // Before the run folders go: a dead run is known by its folder.
  if (process.getuid?.() === 0) result.cgroups = (await sweepCgroups(async () => (await listRuns()).map(runIdOf), dead)).removed;
  for (const run of runs) {
    const runId = runIdOf(run);
    if (!dead(runId)) continue;
    await new RunDir(run.dir).remove();
    result.runs.push(runId);
  }
  return result;
}

/**
 * The run of a process in a namespaces-mode container, from its mount table: the container's root
 * is an overlay whose upper layer lies in the pod's folder. Its cwd cannot say, since the host
 * cannot reach the container's root (enter.sh pivots into it).
 */
async function sandboxRunOf(pid: string, root: string): Promise<string | undefined> {
  const mounts = await readFile(`/proc/${pid}/mountinfo`, 'utf8').catch(() => '');
  const upper = / - overlay redis-chaos-root \S*upperdir=([^,\s]+)/.exec(mounts)?.[1];
  return upper?.startsWith(root) ? upper.slice(root.length).split(path.sep)[0] : undefined;
}

/** A process's run (by its environment, else by a path), and the run a path names, if one does. */
interface Marked {
  runId: string;
  /** Its working folder's or its container's upper layer's run: unlike the environment, never clobbered. */
  pathRunId: string | undefined;
}

/**
 * Every process on this machine that belongs to a run, as pid → runId: by its environment, its
 * working folder, or its container's upper layer (see sweepLocal).
 */
export async function markedProcesses(runId?: string): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  for (const [pid, marked] of await scanProcesses()) if (runId === undefined || marked.runId === runId) found.set(pid, marked.runId);
  return found;
}

async function scanProcesses(): Promise<Map<number, Marked>> {
  const found = new Map<number, Marked>();
  const prefix = `${RUN_MARKER_ENV}=`;
  const root = runsRoot() + path.sep;
  const ownMountNs = await readlink('/proc/self/ns/mnt').catch(() => '');
  // Every process at once: one after another, each read waited its turn on a busy event loop.
  const entries = (await readdir('/proc').catch(() => [] as string[])).filter((e) => /^\d+$/.test(e));
  await Promise.all(entries.map(async (entry) => {
    const environ = await readFile(`/proc/${entry}/environ`, 'latin1').catch(() => '');
    const byEnv = environ.split('\0').find((v) => v.startsWith(prefix))?.slice(prefix.length);
    // A removed folder reads as "<path> (deleted)": the run's id is its first part all the same.
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    let pathRunId = cwd.startsWith(root) ? cwd.slice(root.length).split(path.sep)[0]!.replace(/ \(deleted\)$/, '') : undefined;
    if (!pathRunId && (await readlink(`/proc/${entry}/ns/mnt`).catch(() => ownMountNs)) !== ownMountNs) pathRunId = await sandboxRunOf(entry, root);
    const runId = byEnv ?? pathRunId;
    if (runId) found.set(Number(entry), { runId, pathRunId });
  }));
  return found;
}
