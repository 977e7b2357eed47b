import { HarnessError, errorMessage } from '../errors.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { NotYet, waitUntil } from '../util/wait.ts';
import { parseConfigReply } from './nodes.ts';

const MAX_REPLICAS = 'repl-diskless-sync-max-replicas';

/** What hastenFirstSync changed, and the way back to the manifests' settings. */
export interface HastenedSync {
  /** The pods whose setting was changed (none when the sync is left to its own time). */
  readonly pods: readonly string[];
  /** Each changed pod's own value put back; idempotent. Throws when a pod keeps the changed one. */
  restore(options?: { signal?: AbortSignal }): Promise<void>;
}

/**
 * Hurries the replicas' first sync after `--cluster create`, as hastenJoin hurries the join. A
 * master with diskless sync (Redis's default) starts a replica's full sync only
 * `repl-diskless-sync-delay` seconds (5 by default) after the replica asked, in case more arrive;
 * with `repl-diskless-sync-max-replicas N` (Redis 7.0) it starts as soon as N replicas wait, at its
 * next replication cron (measured by hand: 0.7 s, against 5 s). Each pod is given N = the shape's
 * replicas per master before the create, and its own value back once every node serves
 * (`restore`): Redis waits for the same replicas it would have, and every scenario's faults meet
 * the manifests' settings.
 *
 * Left alone, each pod where the delay is 0, diskless sync is off, a maximum is already set, or
 * CONFIG does not answer (Redis before 7.0, a renamed command): its sync takes its own time. Off
 * with HARNESS_HASTEN_SYNC=0, for a comparison.
 */
export async function hastenFirstSync(
  platform: RunningPlatform,
  pods: readonly string[],
  replicasPerMaster: number,
  { signal, timeoutMs = 2_000, restoreTimeoutMs = 10_000 }: { signal?: AbortSignal; timeoutMs?: number; restoreTimeoutMs?: number } = {},
): Promise<HastenedSync> {
  if (process.env.HARNESS_HASTEN_SYNC === '0' || replicasPerMaster < 1) return hastened(platform, new Map(), restoreTimeoutMs);
  const call = async (pod: string, args: string[]) => platform.redis(pod, args, { timeoutMs, ...(signal ? { signal } : {}) });
  const changed = new Map<string, string>();
  await Promise.all(pods.map(async (pod) => {
    const reply = await call(pod, ['CONFIG', 'GET', 'repl-diskless-sync*']).catch(() => null);
    const config = parseConfigReply(reply) ?? new Map<string, string>();
    const own = config.get(MAX_REPLICAS);
    if (config.get('repl-diskless-sync') !== 'yes' || Number(config.get('repl-diskless-sync-delay') ?? 0) <= 0 || own !== '0') return;
    // Restored even when the SET seems to fail: one that timed out may still have taken effect.
    changed.set(pod, own);
    await call(pod, ['CONFIG', 'SET', MAX_REPLICAS, String(replicasPerMaster)]).catch(() => undefined);
  }));
  signal?.throwIfAborted();
  return hastened(platform, changed, restoreTimeoutMs);
}

function hastened(platform: RunningPlatform, changed: Map<string, string>, timeoutMs: number): HastenedSync {
  let restored: Promise<void> | null = null;
  return {
    pods: [...changed.keys()],
    restore: ({ signal } = {}) => (restored ??= restoreAll(platform, changed, timeoutMs, signal)),
  };
}

/**
 * Each pod's own value back, retried within `timeoutMs` (10 s): every node served a moment ago.
 * A pod that kept the changed value would run the scenarios at settings other than the
 * manifests', so that is the harness's failure, not something to pass over.
 */
async function restoreAll(platform: RunningPlatform, changed: Map<string, string>, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  await Promise.all([...changed].map(([pod, own]) => waitUntil(`${pod}: ${MAX_REPLICAS} back to ${own}`, async () => {
    try {
      await platform.redis(pod, ['CONFIG', 'SET', MAX_REPLICAS, own], { timeoutMs: 2_000, ...(signal ? { signal } : {}) });
    } catch (error) {
      throw new NotYet(errorMessage(error));
    }
  }, { timeoutMs, intervalMs: 250, ...(signal ? { signal } : {}) }).catch((error: unknown) => {
    signal?.throwIfAborted();
    throw new HarnessError(`could not put back ${pod}'s ${MAX_REPLICAS} ${own} after hastening its first sync: ${errorMessage(error)}`);
  })));
}
