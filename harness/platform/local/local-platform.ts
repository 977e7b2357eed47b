import { redisServerVersion } from './redis-binary.ts';
import { newRunId } from '../../util/run-id.ts';
import { REDIS_TOOLS, requireTools } from '../prerequisites.ts';
import type { Platform, RunningPlatform } from '../types.ts';
import { chooseIsolation, NAMESPACE_TOOLS } from './sandbox/isolation.ts';
import { LoopbackAllocator } from './addresses.ts';
import { listRuns, ownRunRecord, RunDir } from './run-dir.ts';
import { sweepLocal } from './sweeper.ts';
import { limitedContainer, RunCgroups } from './cgroups.ts';
import { requireCgroups } from './cgroup-layout.ts';
import { LocalRunning } from './local-running.ts';
import type { LocalPlatformOptions } from './local-options.ts';

export type { LocalPlatformOptions };

/** Runs the manifests' StatefulSet and Deployment as real processes on this machine. */
export class LocalPlatform implements Platform {
  readonly kind = 'local' as const;
  constructor(private readonly options: LocalPlatformOptions) {}

  async up({ signal }: { signal?: AbortSignal } = {}): Promise<RunningPlatform> {
    const tools = await requireTools(REDIS_TOOLS, 'the local platform');
    // The sweep of dead runs goes on beside this run's start and is awaited before up() returns.
    // It touches only runs it finds dead, and this one never is: its folder is young or its record
    // names a live owner (sweepLocal), as when parallel sessions start, each sweeping beside the
    // others. The checks run at once too: each is a chain of small awaits on a main thread that is
    // busy starting vitest (the sweep alone took 0.5 s of a run's start that way, measured).
    const swept = sweepLocal();
    let running: LocalRunning | null = null;
    try {
      const [version, isolation] = await Promise.all([
        redisServerVersion(tools.get('redis-server')!),
        chooseIsolation(this.options.isolation ?? 'auto').then(async (chosen) => {
          if (chosen.mode === 'namespaces') await requireTools(NAMESPACE_TOOLS, '--isolation namespaces');
          return chosen;
        }),
      ]);
      // Limits are enforced in both isolation modes (a cgroup holds bare processes as well), or refused.
      const limited = limitedContainer(this.options.system);
      const cgroupLayout = limited ? await requireCgroups(limited) : null;
      const runId = this.options.runId ?? newRunId();
      const avoid = new Set((await listRuns()).flatMap((r) => (r.record ? [r.record.addressPrefix] : [])));
      const allocator = LoopbackAllocator.random(avoid);
      const runDir = RunDir.for(runId);
      const record = ownRunRecord(runId, allocator.prefix, isolation.mode);
      await runDir.create(record);
      running = new LocalRunning(this.options, runId, runDir, allocator, version, record, isolation);
      if (cgroupLayout) running.enforceLimits(new RunCgroups(cgroupLayout, runId));
      if (isolation.mode === 'namespaces') await running.startNetwork(avoid);
      running.buildAppImage();
      await running.startStatefulSet(signal);
      await swept;
      return running;
    } catch (error) {
      await swept.catch(() => undefined);
      await running?.down();
      throw error;
    }
  }
}

