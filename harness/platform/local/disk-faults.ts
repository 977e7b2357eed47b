// A Redis pod's disk filled and freed, by pod name; the fill itself and why a run's claims may
// have no capacity to fill are disk-fill.ts's.

import { HarnessError } from '../../errors.ts';
import { assertUp, redisPod, type LocalRun } from './run-state.ts';

export async function fillDisk(run: LocalRun, name: string, { path, leaveBytes }: { path: string; leaveBytes: number }): Promise<{ freeBytes: number; filledBytes: number }> {
  const pod = redisPod(run, name);
  if (!run.disks) throw new HarnessError(`fillDisk: ${name} has no volumes yet`);
  return run.disks.fill(name, pod.mounts, path, leaveBytes);
}

export async function freeDisk(run: LocalRun, name: string): Promise<void> {
  assertUp(run);
  await run.disks?.free(name);
}
