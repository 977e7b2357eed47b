import { HarnessError } from '../errors.ts';
import type { ClusterShape } from '../manifests/index.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { hastenJoin } from './hasten-join.ts';
import { hastenReadiness, type Hastened } from './hasten-ready.ts';
import { waitForClusterReady } from './readiness.ts';
import { NotYet, waitUntil } from '../util/wait.ts';
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
  const created = await createCluster(platform, shape, { createTimeoutMs, ...(signal ? { signal } : {}) });
  const topology = await waitForClusterReady(platform, shape, { timeoutMs: readyTimeoutMs, ...(signal ? { signal } : {}) });
  await created.restore(signal ? { signal } : {});
  return topology;
}

/** How long the pods may take to be ready again before `--cluster create` (a flapping probe). */
const PODS_READY_WAIT_MS = 30_000;

/**
 * Only `--cluster create`; the replicas' first sync and the masters' state are still to come (see
 * waitForClusterReady), hastened (hasten-ready.ts): `restore()` the manifests' settings once every
 * node serves.
 */
export async function createCluster(
  platform: RunningPlatform,
  shape: ClusterShape,
  { signal, createTimeoutMs = 60_000, podsReadyTimeoutMs = PODS_READY_WAIT_MS }: { signal?: AbortSignal; createTimeoutMs?: number; podsReadyTimeoutMs?: number },
): Promise<Hastened> {
  // The platform's up() saw every pod ready, but a readiness probe can flap on a busy node (an exec
  // probe past its timeout: seen on the Kubernetes 1.20 node with two clusters starting at once)
  // before this call: wait for them, bounded, rather than fail the run on one look.
  const pods = await waitUntil('cannot bootstrap: every Redis pod ready with an IP', async () => {
    const list = await platform.pods();
    const missing = list.filter((p) => !p.ip || !p.ready);
    if (missing.length > 0) throw new NotYet(`pods not ready: ${missing.map((p) => p.name).join(', ')}`);
    return list;
  }, { timeoutMs: podsReadyTimeoutMs, intervalMs: 250, ...(signal ? { signal } : {}) });
  // Not put back when the create or the wait fails: a cluster that did not form is torn down.
  const hastened = await hastenReadiness(platform, pods.map((p) => p.name), shape.replicasPerMaster, signal ? { signal } : {});
  await create(platform, shape, pods, createTimeoutMs, signal);
  return hastened;
}

async function create(platform: RunningPlatform, shape: ClusterShape, pods: { name: string; ip: string | null }[], createTimeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  const addresses = pods.map((p) => `${p.ip}:${platform.info.clientPort}`);
  // Beside redis-cli's wait for the join, and done before this returns.
  const helped = new AbortController();
  const helper = hastenJoin(platform, pods.map((p) => ({ name: p.name, ip: p.ip! })), { signal: signal ? AbortSignal.any([signal, helped.signal]) : helped.signal });
  const result = await platform.redisCli(
    pods[0]!.name,
    ['--cluster', 'create', ...addresses, '--cluster-replicas', String(shape.replicasPerMaster), '--cluster-yes'],
    { timeoutMs: createTimeoutMs, ...(signal ? { signal } : {}) },
  ).finally(async () => {
    helped.abort();
    await helper;
  });
  // Aborted (Ctrl-C, the run ending): the abort's reason is what happened, not redis-cli's exit -1.
  signal?.throwIfAborted();
  if (result.exitCode !== 0 || !result.stdout.includes(`[OK] All 16384 slots covered`)) {
    const why = (result.stderr.trim() || result.stdout.trim().split('\n').slice(-3).join(' / ')).slice(0, 400);
    throw new HarnessError(`redis-cli --cluster create failed (exit ${result.exitCode}): ${why}`);
  }
}
