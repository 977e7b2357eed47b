import { HarnessError, errorMessage } from '../errors.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { NotYet, waitUntil } from '../util/wait.ts';
import { parseConfigReply } from './nodes.ts';

/** A setting a pod was given for its cluster's bootstrap, and the pod's own value, to put back. */
export interface BootstrapSetting {
  pod: string;
  key: string;
  own: string;
  value: string;
}

/** What hastenReadiness changed, and the way back to the manifests' settings. */
export interface Hastened {
  /** Every setting changed, pod by pod (none when the cluster is left to its own time). */
  readonly settings: readonly BootstrapSetting[];
  /** Each changed pod's own values put back; idempotent. Throws when a pod keeps a changed one. */
  restore(options?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * One wait of a fresh cluster that a setting shortens, and when a pod's own config allows it.
 * `read`: what CONFIG GET asks for; `change`: the setting and its value for the bootstrap, or null
 * to leave the pod alone.
 */
interface Hastening {
  off: string;
  read: string;
  change(config: ReadonlyMap<string, string>, replicasPerMaster: number): { key: string; value: string } | null;
}

const MAX_REPLICAS = 'repl-diskless-sync-max-replicas';
const NODE_TIMEOUT = 'cluster-node-timeout';
// The rejoin delay a bootstrapping master waits is its node timeout, clamped to 0.5-5 s (below).
const BOOTSTRAP_NODE_TIMEOUT_MS = 1000;

const HASTENINGS: Hastening[] = [
  {
    // The replicas' first sync. A master with diskless sync (Redis's default) starts a replica's
    // full sync only `repl-diskless-sync-delay` seconds (5 by default) after the replica asked, in
    // case more arrive; with `repl-diskless-sync-max-replicas N` (Redis 7.0) it starts as soon as N
    // replicas wait, at its next replication cron (measured by hand: 0.7 s, against 5 s). Redis
    // waits for the same replicas it would have. Left alone where the delay is 0, diskless sync is
    // off, or a maximum is already set.
    off: 'HARNESS_HASTEN_SYNC',
    read: 'repl-diskless-sync*',
    change: (config, replicasPerMaster) => (replicasPerMaster >= 1 && config.get('repl-diskless-sync') === 'yes'
      && Number(config.get('repl-diskless-sync-delay') ?? 0) > 0 && config.get(MAX_REPLICAS) === '0'
      ? { key: MAX_REPLICAS, value: String(replicasPerMaster) } : null),
  },
  {
    // The masters' rejoin delay. A master with no slots counts itself in a minority (0 of the 1
    // master a quorum needs), and Redis notes the time at every state check, ten a second, once its
    // first 2 s are over (CLUSTER_WRITABLE_DELAY; clusterUpdateState). Given its slots by the
    // create, it then says cluster_state:ok only a rejoin delay after the last such note: its node
    // timeout, at most 5 s. A pod started more than 2 s before the create (on Kubernetes, where the
    // pods start one after another, every pod) is ready 4-5 s after it at the manifests' 15 s; by
    // hand, a create 3 s after the servers' start was ok 4.06 s after it returned, and 45 ms after
    // at a node timeout of 1 s. Left alone where the node timeout is 1 s or less already.
    off: 'HARNESS_HASTEN_REJOIN',
    read: NODE_TIMEOUT,
    change: (config) => (Number(config.get(NODE_TIMEOUT) ?? 0) > BOOTSTRAP_NODE_TIMEOUT_MS ? { key: NODE_TIMEOUT, value: String(BOOTSTRAP_NODE_TIMEOUT_MS) } : null),
  },
];

/**
 * Shortens what a fresh cluster waits for after `--cluster create` beyond Redis's own work (the
 * replicas' first sync and the masters' rejoin delay; HASTENINGS says how), as hastenJoin
 * shortens the join: each pod is given the settings before the create, and its own values back
 * once every node serves (`restore`), so that every scenario's faults meet the manifests' settings.
 *
 * A pod where CONFIG does not answer (a renamed command; Redis before 7.0 for the sync) is left
 * alone, and its cluster takes its own time. Each hastening is off with its variable set to 0
 * (HARNESS_HASTEN_SYNC, HARNESS_HASTEN_REJOIN), for a comparison.
 */
export async function hastenReadiness(
  platform: RunningPlatform,
  pods: readonly string[],
  replicasPerMaster: number,
  { signal, timeoutMs = 2_000, restoreTimeoutMs = 10_000 }: { signal?: AbortSignal; timeoutMs?: number; restoreTimeoutMs?: number } = {},
): Promise<Hastened> {
  const call = async (pod: string, args: string[]) => platform.redis(pod, args, { timeoutMs, ...(signal ? { signal } : {}) });
  const settings: BootstrapSetting[] = [];
  await Promise.all(pods.flatMap((pod) => HASTENINGS.filter((h) => process.env[h.off] !== '0').map(async (h) => {
    const config = parseConfigReply(await call(pod, ['CONFIG', 'GET', h.read]).catch(() => null)) ?? new Map<string, string>();
    const change = h.change(config, replicasPerMaster);
    if (!change) return;
    // Restored even when the SET seems to fail: one that timed out may still have taken effect.
    settings.push({ pod, ...change, own: config.get(change.key)! });
    await call(pod, ['CONFIG', 'SET', change.key, change.value]).catch(() => undefined);
  })));
  signal?.throwIfAborted();
  let restored: Promise<void> | null = null;
  return {
    settings,
    restore: ({ signal: restoreSignal } = {}) => (restored ??= restoreAll(platform, settings, restoreTimeoutMs, restoreSignal)),
  };
}

/** What was hastened, in a few words for the session's line, or null if nothing was. */
export function describeHastened(settings: readonly BootstrapSetting[]): string | null {
  if (!settings.length) return null;
  const keys = [...new Set(settings.map((s) => `${s.key} ${s.value}`))];
  return `hastened by ${keys.join(' and ')} on ${new Set(settings.map((s) => s.pod)).size} pods, their own values back since`;
}

/**
 * Each pod's own values back, retried within `timeoutMs` (10 s): every node served a moment ago.
 * A pod that kept a changed value would run the scenarios at settings other than the manifests',
 * so that is the harness's failure, not something to pass over.
 */
async function restoreAll(platform: RunningPlatform, settings: readonly BootstrapSetting[], timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  await Promise.all(settings.map(({ pod, key, own }) => waitUntil(`${pod}: ${key} back to ${own}`, async () => {
    try {
      await platform.redis(pod, ['CONFIG', 'SET', key, own], { timeoutMs: 2_000, ...(signal ? { signal } : {}) });
    } catch (error) {
      throw new NotYet(errorMessage(error));
    }
  }, { timeoutMs, intervalMs: 250, ...(signal ? { signal } : {}) }).catch((error: unknown) => {
    signal?.throwIfAborted();
    throw new HarnessError(`could not put back ${pod}'s ${key} ${own} after the bootstrap: ${errorMessage(error)}`);
  })));
}
