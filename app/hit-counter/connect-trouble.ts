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

/**
 * Connects the client again when ioredis has left it closed with nothing scheduled to. Seen on the
 * Kubernetes node (CI, 2026-12-07: the app unready for a whole 180 s rollout, its log one "not
 * ready" line and nothing after it). A failed ready check disconnects every node, and the client
 * reconnects once the first of them has ended and left its pool empty. A node whose connection
 * closes later, after the next try has begun, finds the pool empty again and sets the status to
 * `close` while that try resolves the seed's name; the try then gives up ("Connection is aborted")
 * and nothing tries again. A seed given by IP leaves no time for that, which is why only the
 * Service name showed it (connect-trouble.test.ts makes it happen with real servers).
 *
 * So a status of `close` or `disconnecting` that has not changed for `stuckMs` starts a connect;
 * `stuckMs` is longer than any retry delay, so a retry ioredis did schedule goes first. Ends with
 * the client (`end`: it was closed on purpose). Returns a stop function.
 */
export function reconnectIfStuck(cluster: Cluster, log: (line: string) => void, { stuckMs = 2000, now = Date.now } = {}): () => void {
  let changedAt = now();
  const statuses = ['wait', 'connecting', 'connect', 'ready', 'disconnecting', 'close', 'reconnecting'] as const;
  const changed = () => { changedAt = now(); };
  for (const s of statuses) cluster.on(s, changed);
  const timer = setInterval(() => {
    const status = cluster.status;
    if ((status !== 'close' && status !== 'disconnecting') || now() - changedAt < stuckMs) return;
    log(`redis: the client sat in ${status} for ${seconds(now() - changedAt)} with no reconnect scheduled; connecting again`);
    changedAt = now();
    cluster.connect().catch(() => undefined); // a failed try schedules the next, as any other
  }, Math.min(500, stuckMs));
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    for (const s of statuses) cluster.off(s, changed);
  };
  cluster.once('end', stop);
  return stop;
}
