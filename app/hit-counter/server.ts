import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Cluster } from 'ioredis';
import type { AppConfig } from './config.ts';
import { classifyRedisError, ensureSendable } from './redis-client.ts';

/**
 * The seed's hit counter: GET / increments and answers "I have been hit N times since deployment."
 * Keyed counters, so that every shard can carry load: GET /?key=K increments K, GET /count?key=K
 * reads it; without `key`, the default key, exactly as the seed. A Redis error is a 503 whose
 * one-line body names the cause; X-Write-Applied says whether an INCR may have been applied anyway,
 * which the harness needs to classify the request. With WAIT_REPLICAS, a write is followed by WAIT
 * and answered with X-Replicas-Acked (what WAIT returned) and X-Replicas-Wanted (what it asked).
 *
 * Lists, for the harness's append workload: GET /append?key=K&value=V appends V (RPUSH) and answers
 * the list's length (X-List-Length), failing as GET / does; GET /list?key=K answers the whole list
 * (LRANGE 0 -1) as a JSON array of strings.
 */
export function createHitCounter(config: AppConfig, redis: Cluster): Server {
  const server = createServer((req, res) => {
    void route(config, redis, req, res);
  });
  server.keepAliveTimeout = 30_000;
  return server;
}

async function route(config: AppConfig, redis: Cluster, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const [path, query] = (req.url ?? '/').split('?', 2) as [string, string | undefined];
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'only GET\n');
  if (path === '/healthz') return send(res, 200, 'ok\n'); // liveness: the process serves HTTP
  // Readiness: the cluster client has its slot map, so a request can be routed.
  if (path === '/readyz') return redis.status === 'ready' ? send(res, 200, 'ready\n') : send(res, 503, `redis client ${redis.status}\n`);
  if (path !== '/' && path !== '/count' && path !== '/append' && path !== '/list') return send(res, 404, 'not found\n');
  const key = keyOf(query, config.counterKey);
  if (key instanceof Error) return send(res, 400, `${key.message}\n`);
  const value = path === '/append' ? valueOf(query) : null;
  if (value instanceof Error) return send(res, 400, `${value.message}\n`);
  try {
    if (path === '/count') {
      await ensureSendable(redis, key);
      const count = await withDeadline(redis.get(key), config.requestTimeoutMs);
      return send(res, 200, `${JSON.stringify({ count: Number(count ?? 0) })}\n`, { 'content-type': 'application/json' });
    }
    if (path === '/list') {
      await ensureSendable(redis, key);
      const values = await withDeadline(redis.lrange(key, 0, -1), config.requestTimeoutMs);
      return send(res, 200, `${JSON.stringify(values)}\n`, { 'content-type': 'application/json' });
    }
    const { reply, headers } = await write(config, redis, key, value === null ? ['incr', key] : ['rpush', key, value]);
    if (value !== null) {
      headers['x-list-length'] = String(reply);
      return send(res, 200, `appended ${value}: ${reply} values\n`, headers);
    }
    headers['x-hit-count'] = String(reply);
    return send(res, 200, `I have been hit ${reply} times since deployment.\n`, headers);
  } catch (error) {
    const { reason, applied } = classifyRedisError(error);
    const detail = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    const writes = path === '/' || path === '/append';
    return send(res, 503, `${reason}: ${detail}\n`, { 'x-redis-error': reason, 'x-write-applied': writes ? applied : 'no' });
  }
}

/**
 * INCR or RPUSH, the one write path: both go out only over a ready connection, and both may have
 * run when they time out, so an RPUSH is classified exactly as an INCR is.
 */
async function write(config: AppConfig, redis: Cluster, key: string, command: [string, ...string[]]): Promise<{ reply: number; headers: Record<string, string> }> {
  const headers: Record<string, string> = {};
  await ensureSendable(redis, key);
  if (config.waitReplicas === null) return { reply: Number(await withDeadline(redis.call(...command), config.requestTimeoutMs)), headers };
  // A pipeline keeps WAIT on the connection (the node) that ran the write.
  const results = await withDeadline(redis.pipeline().call(...command).wait(config.waitReplicas, config.waitTimeoutMs).exec(), config.requestTimeoutMs);
  const [done, wait] = results ?? [];
  if (!done || done[0]) throw done?.[0] ?? new Error('empty pipeline reply');
  // Both numbers go back: the write ran on the master either way, and only the harness, comparing
  // them, decides that a write fewer replicas acknowledged than asked is indeterminate, not ok.
  headers['x-replicas-acked'] = String(wait && !wait[0] ? wait[1] : 0);
  headers['x-replicas-wanted'] = String(config.waitReplicas);
  return { reply: Number(done[1]), headers };
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** The app's budget per request: past it the request is answered, though the command may still run. */
function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`request timeout after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** `?key=K`: printable ASCII without spaces, at most 128 bytes; absent means the default key. */
export function keyOf(query: string | undefined, fallback: string): string | Error {
  const raw = new URLSearchParams(query ?? '').get('key');
  if (raw === null) return fallback;
  if (raw.length === 0) return new Error('bad key: empty');
  if (raw.length > 128) return new Error(`bad key: ${raw.length} characters, at most 128`);
  if (!/^[\x21-\x7e]+$/.test(raw)) return new Error('bad key: only printable ASCII without spaces');
  return raw;
}

/** `?value=V` of /append: required, with the same rules as a key (the harness sends integers). */
export function valueOf(query: string | undefined): string | Error {
  const raw = new URLSearchParams(query ?? '').get('value');
  if (raw === null) return new Error('bad value: missing');
  const checked = keyOf(`key=${encodeURIComponent(raw)}`, '');
  return checked instanceof Error ? new Error(checked.message.replace('key', 'value')) : checked;
}
