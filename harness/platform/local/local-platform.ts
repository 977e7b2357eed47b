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
    const version = await redisServerVersion(tools.get('redis-server')!);
    const isolation = await chooseIsolation(this.options.isolation ?? 'auto');
    if (isolation.mode === 'namespaces') await requireTools(NAMESPACE_TOOLS, '--isolation namespaces');
    // Limits are enforced in both isolation modes (a cgroup holds bare processes as well), or refused.
    const limited = limitedContainer(this.options.system);
    const cgroupLayout = limited ? await requireCgroups(limited) : null;
    await sweepLocal();
    const runId = this.options.runId ?? newRunId();
    const avoid = new Set((await listRuns()).flatMap((r) => (r.record ? [r.record.addressPrefix] : [])));
    const allocator = LoopbackAllocator.random(avoid);
    const runDir = RunDir.for(runId);
    const record = ownRunRecord(runId, allocator.prefix, isolation.mode);
    await runDir.create(record);
    const running = new LocalRunning(this.options, runId, runDir, allocator, version, record, isolation);
    if (cgroupLayout) running.enforceLimits(new RunCgroups(cgroupLayout, runId));
    try {
      if (isolation.mode === 'namespaces') await running.startNetwork(avoid);
      running.buildAppImage();
      await running.startStatefulSet(signal);
      return running;
    } catch (error) {
      await running.down();
      throw error;
    }
  }
}

