import { isWrite, perShard, checker } from './types.ts';

/**
 * How long after the cluster's recovery the app may take to serve a shard again. The hit counter
 * re-reads CLUSTER SLOTS every second and, having lost every node it knew, starts over from its
 * seeds within 100 ms; on Kubernetes the seeds are a Service name, whose records live 5 s
 * (CoreDNS's TTL). Twice that, so that only an app that does not find its way back fails.
 */
export const SERVING_AGAIN_MS = 10_000;

/**
 * Once the cluster has recovered, the app serves every shard under load again: an ok write on each
 * within SERVING_AGAIN_MS of the recovery. Topology checks judge Redis by its own view; this one
 * judges what a user of the app sees, which a client stuck on the old addresses (ioredis#1732, after
 * a full restart on new IPs) fails while every node is healthy. A shard that the load left alone
 * after the recovery, or that failed only for less than the allowance (the run ended sooner), is
 * `unknown`: not enough was seen to judge it.
 */
export const servingAgainChecker = checker((e) => {
  const fromMs = e.recoveredAtMs;
  const limitMs = SERVING_AGAIN_MS;
  if (fromMs === null) {
    return e.faults.length === 0
      ? { valid: true as const, message: 'no fault: nothing to recover from', details: { limitMs, recoveredAtMs: null } }
      : { valid: 'unknown' as const, message: 'the cluster never recovered, so the app could not be judged after it', details: { limitMs, recoveredAtMs: null } };
  }
  const shards = perShard(e).map(({ k, ops }) => {
    const writes = ops.filter(isWrite);
    const okMs = writes.filter((o) => o.type === 'ok' && o.completeNs / 1e6 >= fromMs).map((o) => o.completeNs / 1e6 - fromMs);
    const tried = writes.filter((o) => o.invokeNs / 1e6 >= fromMs);
    const errors: Record<string, number> = {};
    for (const o of tried) if (o.type !== 'ok') errors[o.error ?? o.type] = (errors[o.error ?? o.type] ?? 0) + 1;
    return {
      key: k.key || 'hits', slot: k.slot, master: k.masterAtStart,
      attempts: tried.length, ok: okMs.length,
      firstOkMs: okMs.length ? Math.round(Math.min(...okMs)) : null,
      triedForMs: tried.length ? Math.round(Math.max(...tried.map((o) => o.completeNs / 1e6)) - fromMs) : 0,
      errors,
    };
  });
  const details = { limitMs, recoveredAtMs: Math.round(fromMs), shards };
  if (shards.length === 0) return { valid: 'unknown' as const, message: 'no shard was under load', details };
  const name = (s: (typeof shards)[number]) => `${s.key} (slot ${s.slot}${s.master ? `, ${s.master}'s shard` : ''})`;
  const why = (s: (typeof shards)[number]) => Object.entries(s.errors).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([err, n]) => `${err} ×${n}`).join(', ');
  const never = shards.filter((s) => s.ok === 0 && s.attempts > 0 && s.triedForMs >= limitMs);
  const late = shards.filter((s) => s.firstOkMs !== null && s.firstOkMs > limitMs);
  if (never.length || late.length) {
    const lines = [
      ...never.map((s) => `${name(s)}: none of ${s.attempts} writes in the ${(s.triedForMs / 1000).toFixed(1)} s after it was ok (${why(s)})`),
      ...late.map((s) => `${name(s)}: its first ok write came ${(s.firstOkMs! / 1000).toFixed(1)} s after it`),
    ];
    return { valid: false as const, message: `the app did not serve every shard again within ${limitMs / 1000} s of the cluster's recovery: ${lines.join('; ')}`, details };
  }
  const unseen = shards.filter((s) => s.ok === 0);
  if (unseen.length) {
    const lines = unseen.map((s) => (s.attempts === 0 ? `${name(s)}: no write tried after it` : `${name(s)}: ${s.attempts} writes in ${(s.triedForMs / 1000).toFixed(1)} s, none ok (${why(s)}), short of the ${limitMs / 1000} s allowed`));
    return { valid: 'unknown' as const, message: `not seen serving again after the recovery: ${lines.join('; ')}`, details };
  }
  return { valid: true as const, message: `every shard served again after the recovery: first ok write ${shards.map((s) => `${s.firstOkMs} ms`).join(', ')} after it (allowed ${limitMs / 1000} s)`, details };
});
