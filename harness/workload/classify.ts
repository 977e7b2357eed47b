import type { Op, OpF } from './history.ts';

export type Outcome = { type: Op['type']; value: number | null; error: string | null };

/**
 * Maps what the client saw to Jepsen's three outcomes. The rule: `fail` only when the INCR
 * certainly did not run, `info` whenever it may have. Reads change nothing, so a failed read is
 * always `fail`.
 */
export function classifyResponse(f: OpF, status: number, headers: Record<string, string | string[] | undefined>, body: string): Outcome {
  if (status === 200) {
    const value = f === 'incr' ? Number(headers['x-hit-count']) : Number((JSON.parse(body) as { count: unknown }).count);
    // A 200 without a number is the app misbehaving; the INCR did run, so it is not a fail.
    if (!Number.isFinite(value)) return { type: 'info', value: null, error: `200 without a count: ${body.slice(0, 60)}` };
    return { type: 'ok', value, error: null };
  }
  const reason = String(headers['x-redis-error'] ?? `HTTP ${status}`);
  if (f === 'read') return { type: 'fail', value: null, error: reason };
  // The app says whether Redis refused before executing (CLUSTERDOWN, MOVED loop, refused
  // connection, client not ready: `no`) or the command may have run (timeout, closed connection: `maybe`).
  if (status === 503 && headers['x-write-applied'] === 'no') return { type: 'fail', value: null, error: reason };
  // Any other status (a 500, a proxy's 502) comes from a request that reached the app: unknown.
  return { type: 'info', value: null, error: reason };
}

/** Client-side errors from undici, by whether the request can have reached the app. */
export function classifyClientError(f: OpF, error: unknown): Outcome {
  const code = errorCode(error);
  // Never connected, so never sent: refused, unreachable, or the connect itself timed out.
  const notSent = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT'].includes(code);
  if (f === 'read' || notSent) return { type: 'fail', value: null, error: code };
  // Sent, then no answer in time (our per-request timeout), or the socket reset mid-request:
  // the app may have run the INCR.
  return { type: 'info', value: null, error: code };
}

function errorCode(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
    const own = (error as { code?: unknown }).code;
    if (typeof own === 'string' && own !== 'UND_ERR_SOCKET') return own;
    const cause = (error as { cause?: { code?: unknown } }).cause?.code;
    if (typeof cause === 'string') return cause;
    if (typeof own === 'string') return own;
  }
  return 'client error';
}
