import { HarnessError } from '../errors.ts';
import type { ClusterShape } from '../manifests/index.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { waitForClusterReady } from './readiness.ts';
import type { Topology } from './topology.ts';

/**
 * The walkthrough's `redis-cli --cluster create --cluster-replicas 1 <IPs>`, run in pod 0. The
 * IP list comes from the platform's pod list, not from a jsonpath one-liner, which is the fix for
 * the walkthrough's "Could not connect to Redis at :6379".
 */
export async function bootstrapCluster(
  platform: RunningPlatform,
  shape: ClusterShape,
  { signal, createTimeoutMs = 60_000, readyTimeoutMs }: { signal?: AbortSignal; createTimeoutMs?: number; readyTimeoutMs: number },
): Promise<Topology> {
  await createCluster(platform, shape, { createTimeoutMs, ...(signal ? { signal } : {}) });
  return waitForClusterReady(platform, shape, { timeoutMs: readyTimeoutMs, ...(signal ? { signal } : {}) });
}

/** Only `--cluster create`; the replicas' first sync is still to come (see waitForClusterReady). */
export async function createCluster(
  platform: RunningPlatform,
  shape: ClusterShape,
  { signal, createTimeoutMs = 60_000 }: { signal?: AbortSignal; createTimeoutMs?: number },
): Promise<void> {
  const pods = await platform.pods();
  const missing = pods.filter((p) => !p.ip || !p.ready);
  if (missing.length > 0) throw new HarnessError(`cannot bootstrap: pods not ready: ${missing.map((p) => p.name).join(', ')}`);
  const addresses = pods.map((p) => `${p.ip}:${platform.info.clientPort}`);
  const result = await platform.redisCli(
    pods[0]!.name,
    ['--cluster', 'create', ...addresses, '--cluster-replicas', String(shape.replicasPerMaster), '--cluster-yes'],
    { timeoutMs: createTimeoutMs, ...(signal ? { signal } : {}) },
  );
  // Aborted (Ctrl-C, the run ending): the abort's reason is what happened, not redis-cli's exit -1.
  signal?.throwIfAborted();
  if (result.exitCode !== 0 || !result.stdout.includes(`[OK] All 16384 slots covered`)) {
    const why = (result.stderr.trim() || result.stdout.trim().split('\n').slice(-3).join(' / ')).slice(0, 400);
    throw new HarnessError(`redis-cli --cluster create failed (exit ${result.exitCode}): ${why}`);
  }
}
