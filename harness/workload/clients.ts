import { Pool } from 'undici';
import { classifyClientError, classifyResponse } from './classify.ts';
import type { Clock } from './clock.ts';
import type { HistoryRecorder, OpF } from './history.ts';
import { sleep } from '../util/wait.ts';

export interface WorkloadOptions {
  url: string;
  clients?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Fraction of operations that are reads (GET /count). */
  readRatio?: number;
  /** Per-client rate limit, operations per second; none by default (closed loop). */
  ratePerClient?: number;
  /** Hard bounds: the workload stops itself at whichever comes first. */
  maxOps?: number;
  maxDurationMs?: number;
  /**
   * Counter keys to spread the load over: client p works on key p mod keys (Jepsen's independent
   * keys, each with its own processes), so a shard's outage stalls only its own clients, not the
   * others' view of their shards. The first is the app's default key and goes as the seed's plain
   * `GET /`. Absent: the default key only.
   */
  keys?: string[];
}

export interface RunningWorkload {
  /** Stops the clients, waits for in-flight requests to settle, and closes the pool. */
  stop(): Promise<void>;
  readonly done: Promise<void>;
  /**
   * Why the load ended before `stop()` (its maxOps or maxDurationMs), or null: a scenario that ran
   * on without load must say so, not look like a quiet success.
   */
  readonly stoppedEarly: string | null;
}

/**
 * N clients in closed loops against the app, each operation recorded as invoke + completion.
 * `stop()` ends it; so do maxOps and maxDurationMs, so a forgotten workload cannot run forever.
 */
export function startWorkload(history: HistoryRecorder, clock: Clock, options: WorkloadOptions): RunningWorkload {
  const { url, clients = 4, timeoutMs = 1000, readRatio = 0.1, ratePerClient, maxOps = 2_000_000, maxDurationMs = 600_000, keys = [] } = options;
  const query = keys.map((k, i) => (i === 0 ? '' : `?key=${encodeURIComponent(k)}`));
  const origin = new URL(url);
  const pool = new Pool(origin.origin, { connections: clients, pipelining: 1, connectTimeout: timeoutMs, keepAliveTimeout: 10_000 });
  const stopper = new AbortController();
  let stoppedEarly: string | null = null;
  const deadline = setTimeout(() => {
    stoppedEarly = `the workload reached its ${maxDurationMs / 1000} s bound (maxDurationMs) and stopped`;
    stopper.abort();
  }, maxDurationMs);
  let issued = 0;
  // Deterministic op mix per client, so a seed replays the same sequence of incr/read.
  const mix = (process: number, n: number) => ((n * 7919 + process * 104729) % 1000) / 1000 < readRatio;

  async function client(process: number): Promise<void> {
    for (let n = 0; !stopper.signal.aborted && issued < maxOps; n++) {
      issued++;
      const f: OpF = mix(process, n) ? 'read' : 'incr';
      const k = keys.length ? process % keys.length : 0;
      const started = Date.now();
      const index = history.invoke(process, f, clock.nowNs(), k === 0 ? undefined : keys[k]);
      try {
        const response = await pool.request({
          method: 'GET',
          path: `${f === 'incr' ? '/' : '/count'}${query[k] ?? ''}`,
          // GET / is not idempotent here (it increments), so undici must never replay it.
          idempotent: false,
          signal: AbortSignal.timeout(timeoutMs),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const body = await response.body.text();
        const outcome = classifyResponse(f, response.statusCode, response.headers, body);
        history.complete(index, outcome.type, outcome.value, clock.nowNs(), outcome.error);
      } catch (error) {
        const outcome = classifyClientError(f, error);
        history.complete(index, outcome.type, outcome.value, clock.nowNs(), outcome.error);
      }
      if (ratePerClient) {
        const wait = 1000 / ratePerClient - (Date.now() - started);
        if (wait > 0) await sleep(wait, stopper.signal).catch(() => undefined);
      }
    }
  }

  const done = Promise.all(Array.from({ length: clients }, (_, p) => client(p))).then(async () => {
    clearTimeout(deadline);
    if (!stopper.signal.aborted && issued >= maxOps) stoppedEarly = `the workload reached its ${maxOps} operations (maxOps) and stopped`;
    history.closeOpen(clock.nowNs());
    await pool.close();
  });
  return {
    done,
    get stoppedEarly() {
      return stoppedEarly;
    },
    async stop() {
      stopper.abort();
      await done;
    },
  };
}
