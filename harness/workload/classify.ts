import type { Op, OpF } from './history.ts';

export type Outcome = { type: Op['type']; value: number | null; error: string | null; list?: number[] };

const isRead = (f: OpF) => f === 'read' || f === 'read-list';

/**
 * Maps what the client saw to Jepsen's three outcomes. The rule: `fail` only when the INCR
 * certainly did not run, `info` whenever it may have. Reads change nothing, so a failed read is
 * always `fail`.
 */
export function classifyResponse(f: OpF, status: number, headers: Record<string, string | string[] | undefined>, body: string): Outcome {
  if (status === 200 && f === 'read-list') return listOutcome(body);
  if (status === 200) {
    const value = f === 'append' ? Number(headers['x-list-length']) : f === 'incr' ? Number(headers['x-hit-count']) : Number((JSON.parse(body) as { count: unknown }).count);
    // A 200 without a number is the app misbehaving; the INCR did run, so it is not a fail.
    if (!Number.isFinite(value)) return { type: 'info', value: null, error: `200 without a count: ${body.slice(0, 60)}` };
    const short = unacknowledged(f, headers);
    if (short) return { type: 'info', value: null, error: short };
    return { type: 'ok', value, error: null };
  }
  const reason = String(headers['x-redis-error'] ?? `HTTP ${status}`);
  if (isRead(f)) return { type: 'fail', value: null, error: reason };
  // The app says whether Redis refused before executing (CLUSTERDOWN, MOVED loop, refused
  // connection, client not ready: `no`) or the command may have run (timeout, closed connection: `maybe`).
  if (status === 503 && headers['x-write-applied'] === 'no') return { type: 'fail', value: null, error: reason };
  // Any other status (a 500, a proxy's 502) comes from a request that reached the app: unknown.
  return { type: 'info', value: null, error: reason };
}

/**
 * With the app's WAIT_REPLICAS, a write is acknowledged only when WAIT saw as many replicas as asked.
 * One that ran on the master but fewer replicas acknowledged in time may survive a failover or not:
 * indeterminate (info), never ok (it was not acknowledged) nor fail (it ran). Its value stays out of
 * the history, as every info's does: the checkers judge values of acknowledged operations only.
 */
function unacknowledged(f: OpF, headers: Record<string, string | string[] | undefined>): string | null {
  const wanted = headers['x-replicas-wanted'];
  if (isRead(f) || wanted === undefined) return null;
  const acked = Number(headers['x-replicas-acked']);
  // An unreadable ack count is no acknowledgement.
  if (Number.isFinite(acked) && acked >= Number(wanted)) return null;
  return `WAIT: ${Number.isFinite(acked) ? acked : '?'} of ${String(wanted)} replicas acknowledged`;
}

/**
 * An LRANGE's values as the workload wrote them (decimal integers); its value is the list's length.
 * Anything else is no list this workload can judge: a failed read, which changes nothing.
 */
function listOutcome(body: string): Outcome {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    return { type: 'fail', value: null, error: `200 without a list: ${body.slice(0, 60)}` };
  }
  if (!Array.isArray(raw)) return { type: 'fail', value: null, error: `200 without a list: ${body.slice(0, 60)}` };
  const list = raw.map((v) => (typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : Number.NaN));
  const odd = raw.find((_, i) => Number.isNaN(list[i]));
  if (odd !== undefined) return { type: 'fail', value: null, error: `a list value the workload never writes: ${JSON.stringify(odd).slice(0, 40)}` };
  return { type: 'ok', value: list.length, error: null, list };
}

/** Client-side errors from undici, by whether the request can have reached the app. */
export function classifyClientError(f: OpF, error: unknown): Outcome {
  const code = errorCode(error);
  // Never connected, so never sent: refused, unreachable, or the connect itself timed out.
  const notSent = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT'].includes(code);
  if (isRead(f) || notSent) return { type: 'fail', value: null, error: code };
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
