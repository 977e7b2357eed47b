/** The app's configuration, from the environment its Deployment sets. */
export interface AppConfig {
  redisNodes: { host: string; port: number }[];
  host: string;
  port: number;
  counterKey: string;
  waitReplicas: number | null;
  waitTimeoutMs: number;
  /** The app's own budget for one request; below the harness clients' 1 s so the app answers first. */
  requestTimeoutMs: number;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodes = (env.REDIS_NODES ?? 'redis-cluster:6379').split(',').map((s) => s.trim()).filter(Boolean);
  const int = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${raw} is not a non-negative integer`);
    return n;
  };
  return {
    redisNodes: nodes.map((n) => {
      const i = n.lastIndexOf(':');
      return i > 0 ? { host: n.slice(0, i), port: Number(n.slice(i + 1)) } : { host: n, port: 6379 };
    }),
    host: env.HOST ?? '0.0.0.0',
    port: int('PORT', 5000),
    counterKey: env.COUNTER_KEY || 'hits',
    waitReplicas: env.WAIT_REPLICAS ? int('WAIT_REPLICAS', 0) : null,
    waitTimeoutMs: int('WAIT_TIMEOUT_MS', 100),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', 800),
  };
}
