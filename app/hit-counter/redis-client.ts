import { once } from 'node:events';
import calculateSlot from 'cluster-key-slot';
import { Cluster, type Redis } from 'ioredis';
import type { AppConfig } from './config.ts';

/**
 * ioredis' Cluster defaults give up after retryDelayOnFailover × maxRedirections = 1.6 s and, worse,
 * resend a command whose connection closed under it, which double-counts an INCR that was applied.
 * These values make a request fail fast (a 503 within the app's request budget) and never resend
 * a write whose fate is unknown, while the client still finds new masters and new pod IPs:
 */
export function createCluster(config: AppConfig): Cluster {
  return new Cluster(config.redisNodes, {
    // 0 disables the resend after "Connection is closed": the INCR may have been applied.
    retryDelayOnFailover: 0,
    // CLUSTERDOWN and TRYAGAIN replies mean "not executed", so retrying them is safe; with
    // maxRedirections 6 a request gives up after about 0.6 s of them.
    retryDelayOnClusterDown: 100,
    retryDelayOnTryAgain: 100,
    maxRedirections: 6,
    // A dead master cannot send MOVED, so re-read CLUSTER SLOTS every second: after a failover or
    // a pod re-created under a new IP the client finds the new owner within about a second.
    slotsRefreshInterval: 1000,
    slotsRefreshTimeout: 500,
    // While the client (re)connects, fail at once ("not ready", never sent) rather than queue.
    enableOfflineQueue: false,
    clusterRetryStrategy: clusterRetryDelayMs,
    redisOptions: {
      connectTimeout: 500,
      commandTimeout: 700,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
    },
  });
}

/**
 * How long the client waits before it tries the seeds (the Service name) again; it never gives up.
 * Every 100 ms for the first 2 s, then backing off to once a second. A new cluster is the common
 * case: ioredis' ready check refuses it until `cluster_state:ok`, which Redis holds back for 2 s
 * after a master starts, and a delay growing from the first try (100, 200, 300 ms, …) made the app
 * serve up to 0.5 s after the cluster did (seen in a cold run's phases, bench:scenarios).
 */
export function clusterRetryDelayMs(times: number): number {
  return times <= 20 ? 100 : Math.min(100 * (times - 19), 1000);
}

export type WriteApplied = 'no' | 'maybe';

/**
 * What a Redis error says about an INCR: `no` when Redis answered that it did not execute it (or it
 * was never sent), `maybe` when it may have run. The harness records `maybe` as indeterminate.
 */
export function classifyRedisError(error: unknown): { reason: string; applied: WriteApplied } {
  const message = error instanceof Error ? error.message : String(error);
  const redirect = /^Too many Cluster redirections\. Last error: (.*)$/s.exec(message);
  if (redirect) {
    const last = classifyRedisError(new Error(redirect[1]));
    return { reason: `MOVED loop (${last.reason})`, applied: last.applied };
  }
  if (/^Error: /.test(message)) return classifyRedisError(new Error(message.slice(7)));
  const reply = /^(CLUSTERDOWN|MOVED|ASK|TRYAGAIN|READONLY|LOADING|MASTERDOWN|NOREPLICAS)\b/.exec(message);
  if (reply) return { reason: reply[1]!, applied: 'no' }; // Redis refused before executing
  // Refused before executing too, while its last disk write failed (a full volume); the whole line says why.
  if (/^MISCONF\b/.test(message)) return { reason: message.split('\n')[0]!.slice(0, 120), applied: 'no' };
  if (error instanceof NotSent) return { reason: 'not connected', applied: 'no' };
  if (/ECONNREFUSED/.test(message)) return { reason: 'connection refused', applied: 'no' };
  if (/isn't ready and enableOfflineQueue/.test(message)) return { reason: 'cluster client not ready', applied: 'no' };
  if (/Command timed out|request timeout/.test(message)) return { reason: 'timeout', applied: 'maybe' };
  if (/Connection is closed/.test(message)) return { reason: 'connection closed', applied: 'maybe' };
  return { reason: message.split('\n')[0]!.slice(0, 120), applied: 'maybe' };
}

/** Thrown before sending: nothing reached Redis. */
export class NotSent extends Error {}

/**
 * Every node the client knows failed to answer CLUSTER SLOTS: after a full restart on new IPs, all
 * of them are gone. ioredis then keeps the old slot map and retries only those dead addresses, for
 * as long as one node stays in its pool, and one does: a replica it never connected to (it connects
 * lazily, and the app never reads from replicas) is never seen to fail, so the pool never empties
 * and the client never goes back to its seeds, the Service name that resolves to the new pods
 * (ioredis#1732; hit-counter.log of a hardened full-restart: one node left, none a master, every
 * request refused for the whole settle). A command sent without ensureSendable empties the pool
 * by failing: that is what hid the fault while the app's reads skipped it. So start over from the
 * seeds, as ioredis itself does for its sharded subscribers on the same error; only once, while the
 * client is still `ready` (disconnecting moves it on). The error is ioredis's ClusterAllFailedError,
 * which it does not export: known by its message.
 */
export function reconnectIfLost(cluster: Cluster, error: Error | null | undefined): void {
  if (error?.message === 'Failed to refresh slots cache.' && cluster.status === 'ready') cluster.disconnect(true);
}

const readyWaits = new WeakMap<Redis, Promise<void>>();

/**
 * One wait per node for its `ready`, shared by every request that finds it connecting: a listener
 * pair for each passed Node's limit of 10 under load (MaxListenersExceededWarning, over and over, in
 * a full restart's app log on the Kubernetes node). Bounded; an error ends the wait too, and the
 * caller then reads the status. A request that joins an earlier one's wait has what is left of it.
 */
function readyOf(node: Redis, ms: number): Promise<void> {
  let wait = readyWaits.get(node);
  if (!wait) {
    wait = once(node, 'ready', { signal: AbortSignal.timeout(ms) }).then(() => undefined, () => undefined).finally(() => readyWaits.delete(node));
    readyWaits.set(node, wait);
  }
  return wait;
}

/** A node connection's states on the way to `ready`: ioredis connects lazily (`wait`). */
const CONNECTING = new Set(['wait', 'connecting', 'connect']);

/**
 * ioredis queues a command for a node it is still (re)connecting to and, if that connection is
 * refused, fails it with the same "Connection is closed" as a command that was sent: ambiguous.
 * So every command the app sends (a write, or a read) goes out only over a ready connection to the
 * slot's master; otherwise the request is refused up front (certainly not applied). A connection
 * not made yet (ioredis connects lazily, and a keyed request may be the first to reach a shard)
 * or being made (for a request just before this one) gets up to `firstConnectMs`. Waiting only
 * for the first was not enough: with the offline queue off, ioredis fails a command for a node
 * still connecting with "Connection is closed", unsent, so every request but the first to reach
 * a new app's shard at once was refused (first-connect.test.ts; 14 of a cold run's 24 baseline reads).
 */
export async function ensureSendable(cluster: Cluster, key: string, firstConnectMs = 250): Promise<void> {
  // (Re)connecting from its seeds: a refresh started now would ask whatever the pool holds, perhaps
  // only dead addresses, and the client's own refresh would wait on it and fail with it, over and
  // over (seeds-again.test.ts). ioredis would refuse the command too, unsent.
  if (cluster.status !== 'ready') throw new NotSent(`cluster client ${cluster.status}`);
  const owner = cluster.slots[calculateSlot(key)]?.[0];
  const node: Redis | undefined = owner ? cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner) : undefined;
  if (node?.status === 'ready') return;
  if (node && CONNECTING.has(node.status)) {
    if (node.status === 'wait') node.connect().catch(() => undefined);
    await readyOf(node, firstConnectMs);
    if ((node.status as string) === 'ready') return; // it changed while we waited
  }
  // No live connection to the slot's owner: the pool dropped it (its pod went away, perhaps to come
  // back on another pod's old IP). Re-read the slots now rather than at the next periodic refresh,
  // which a refresh stuck on a dead address could hold off; ioredis runs one refresh at a time.
  if (!node || node.status === 'end' || node.status === 'close') cluster.refreshSlotsCache((error) => reconnectIfLost(cluster, error));
  throw new NotSent(`connection to ${owner ?? 'the slot owner'} not ready (${node?.status ?? 'none'})`);
}
