import type { Cluster } from 'ioredis';

/**
 * Says in the app's log why its cluster client is not ready. ioredis retries its seeds in silence:
 * a seed name that does not resolve, a ready check that finds `cluster_state:fail` or gets no
 * answer, and a node that refuses CLUSTER SLOTS are each a debug line, not an event the app logs.
 * So a Deployment whose pod stayed unready for the whole of a 180 s rollout logged nothing but its
 * start line (CI on a Kubernetes node, 2026-12-07), and nothing said which of them it was.
 *
 * The first failed try is logged at once, then one line every `everyMs` while it lasts, and one
 * line when the client is ready again: a pod's log stays short, and its last lines say why.
 */
export function logConnectTrouble(cluster: Cluster, log: (line: string) => void, { everyMs = 10_000, now = Date.now } = {}): void {
  let since: number | null = null;
  let tries = 0;
  let lastLogged = 0;
  let reachedConnect = false;
  let lastNodeError: string | null = null;

  cluster.on('connecting', () => { reachedConnect = false; });
  // `connect` comes after CLUSTER SLOTS was read from a seed, before the ready check.
  cluster.on('connect', () => { reachedConnect = true; });
  cluster.on('node error', (error: Error, key: string) => { lastNodeError = `${key}: ${error.message}`; });
  cluster.on('ready', () => {
    if (since !== null) log(`redis: ready after ${tries} failed ${tries === 1 ? 'try' : 'tries'} in ${seconds(now() - since)}`);
    since = null;
    tries = 0;
    lastNodeError = null;
  });

  const retry = cluster.options.clusterRetryStrategy;
  // ioredis asks the strategy at every failed (re)connect, with the error when it has one.
  cluster.options.clusterRetryStrategy = (times: number, reason?: Error) => {
    const t = now();
    since ??= t;
    tries += 1;
    if (tries === 1 || t - lastLogged >= everyMs) {
      lastLogged = t;
      log(`redis: not ready (${tries} failed ${tries === 1 ? 'try' : 'tries'} in ${seconds(t - since)}): ${why(reason, reachedConnect, lastNodeError)}`);
    }
    return retry ? retry.call(cluster, times, reason) : null;
  };
}

function why(reason: Error | undefined, reachedConnect: boolean, lastNodeError: string | null): string {
  if (reason) return reason.message;
  // ioredis drops the ready check's reply and only reconnects: these are the two ways it fails.
  if (reachedConnect) return 'read the slots, but the ready check failed (CLUSTER INFO unanswered, or cluster_state:fail)';
  return lastNodeError ? `no seed gave the slots; last: ${lastNodeError}` : 'no seed gave the slots';
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
