import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where local runs keep their pods' folders; one sub-folder per run id. */
export function runsRoot(): string {
  return process.env.REDIS_CHAOS_RUNS_DIR ?? path.join(os.tmpdir(), 'redis-chaos-runs');
}

export interface RunRecord {
  runId: string;
  ownerPid: number;
  /** The owner's start time from /proc, so a recycled PID is not mistaken for a live owner. */
  ownerStartTicks: string | null;
  addressPrefix: string;
  startedAt: string;
  /** How its pods run; namespaces-mode runs also own kernel objects named after the run id. */
  isolation?: 'namespaces' | 'processes';
  /** Set when a run ended with --keep: the sweeper leaves it alone unless asked (--sweep). */
  kept?: boolean;
}

export class RunDir {
  constructor(readonly root: string) {}

  static for(runId: string): RunDir {
    return new RunDir(path.join(runsRoot(), runId));
  }

  pod(name: string): string {
    return path.join(this.root, 'pods', name);
  }
  claim(claim: string, pod: string): string {
    // Named like the PVC the StatefulSet controller would create: <template>-<pod>.
    return path.join(this.root, 'pvc', `${claim}-${pod}`);
  }
  log(pod: string, container: string): string {
    return path.join(this.root, 'logs', `${pod}.${container}.log`);
  }
  /** The hit counter's image, built for this run (app-bundle.ts). */
  get appDir(): string {
    return path.join(this.root, 'app');
  }
  /** What cluster DNS would answer, as hosts files: `hosts` for the app, `<pod>.hosts` for each pod. */
  get dnsDir(): string {
    return path.join(this.root, 'dns');
  }
  get hostsFile(): string {
    return path.join(this.dnsDir, 'hosts');
  }
  podHostsFile(pod: string): string {
    return `${pod}.hosts`;
  }

  async create(record: RunRecord): Promise<void> {
    await mkdir(path.join(this.root, 'logs'), { recursive: true });
    await mkdir(this.dnsDir, { recursive: true });
    await this.writeRecord(record);
  }

  async markKept(record: RunRecord): Promise<void> {
    await this.writeRecord({ ...record, kept: true });
  }

  /**
   * Replaced by a rename, never rewritten in place: a sweeper in another session that read a
   * half-written run.json would take this live run for a dead one and remove it.
   */
  private async writeRecord(record: RunRecord): Promise<void> {
    const file = path.join(this.root, 'run.json');
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, JSON.stringify(record, null, 2));
    await rename(tmp, file);
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** A listed run's id: its record's, or for a folder with no readable record, the folder's name. */
export const runIdOf = (run: { dir: string; record: RunRecord | null }): string => run.record?.runId ?? path.basename(run.dir);

export async function listRuns(): Promise<{ dir: string; record: RunRecord | null; ageMs: number | null }[]> {
  const root = runsRoot();
  const names = await readdir(root).catch(() => [] as string[]);
  return Promise.all(
    names.map(async (name) => {
      const dir = path.join(root, name);
      const text = await readFile(path.join(dir, 'run.json'), 'utf8').catch(() => null);
      let record: RunRecord | null = null;
      try {
        record = text ? (JSON.parse(text) as RunRecord) : null;
      } catch {
        record = null;
      }
      // A folder with no readable record yet may be a run being created this instant.
      const ageMs = record ? null : Date.now() - ((await stat(dir).catch(() => null))?.mtimeMs ?? 0);
      return { dir, record, ageMs };
    }),
  );
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
export function processStartTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** The record of a run this process owns, started now: the sweeper leaves it alone while this process lives. */
export function ownRunRecord(runId: string, addressPrefix: string, isolation?: RunRecord['isolation']): RunRecord {
  return { runId, ownerPid: process.pid, ownerStartTicks: processStartTicks(process.pid), addressPrefix, startedAt: new Date().toISOString(), ...(isolation ? { isolation } : {}) };
}

export function isOwnerAlive(record: RunRecord): boolean {
  const ticks = processStartTicks(record.ownerPid);
  return ticks !== null && (record.ownerStartTicks === null || ticks === record.ownerStartTicks);
}
