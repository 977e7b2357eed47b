import { Pool } from 'undici';
import { classifyClientError, classifyResponse } from './classify.ts';
import type { Clock } from './clock.ts';
import type { HistoryRecorder, OpF, Workload } from './history.ts';
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
  /**
   * For each key, the shard it loads (an index). Clients are per shard, not per key: client p
   * works on shard p mod shards and takes its shard's keys in turn, one per operation, so many keys
   * spread the same load instead of adding a client each, and a shard's outage still stalls only
   * its own clients. Absent: every key is a shard of its own (a client per key, as before).
   */
  shardOf?: number[];
  /**
   * `counter` (the default): INCRs and reads of the counter keys. `append`: RPUSHes of unique values
   * and whole-list reads (LRANGE) of `listKeys`. `both`: the first `shards` processes count, the
   * next as many append, each on its own shard's keys, and so on alternately.
   */
  workload?: Workload;
  /** One list key per counter key, in the same slot; required for `append` and `both`. */
  listKeys?: string[];
}

/**
 * Every list read records the whole list, so reads cost the square of the appends in history and
 * memory (a 20 s kill-master run wrote 11 MB of history with a read in ten operations). So each
 * process reads its list at most every LIST_READ_INTERVAL_MS, and past MAX_LIST_READ values not at
 * all: the final read still reads it, and reads early in the run still see any rollback there.
 */
export const MAX_LIST_READ = 10_000;
export const LIST_READ_INTERVAL_MS = 250;

export interface RunningWorkload {
  /** Stops the clients, waits for in-flight requests to settle, and closes the pool. */
  stop(): Promise<void>;
  readonly done: Promise<void>;
  /**
   * Why the load ended before `stop()` (its maxOps or maxDurationMs), or null: a scenario that ran
   * on without load must say so, not look like a quiet success.
   */
  readonly stoppedEarly: string | null;
  /**
   * How long the clients take to write each of their keys once at the set rate (a client goes
   * round its shard's keys in turn), or null with no rate: a bound on the first writes' wait.
   */
  readonly roundMs: number | null;
}

/**
 * N clients in closed loops against the app, each operation recorded as invoke + completion.
 * `stop()` ends it; so do maxOps and maxDurationMs, so a forgotten workload cannot run forever.
 */
export function startWorkload(history: HistoryRecorder, clock: Clock, options: WorkloadOptions): RunningWorkload {
  const { url, clients = 4, timeoutMs = 1000, readRatio = 0.1, ratePerClient, maxOps = 2_000_000, maxDurationMs = 600_000, keys = [], workload = 'counter', listKeys = [] } = options;
  if (workload !== 'counter' && (listKeys.length === 0 || listKeys.length !== Math.max(keys.length, 1))) throw new Error(`the ${workload} workload needs one list key per counter key`);
  const query = keys.map((k, i) => (i === 0 ? '' : `?key=${encodeURIComponent(k)}`));
  const shardOf = options.shardOf ?? keys.map((_, i) => i);
  if (shardOf.length !== keys.length) throw new Error('shardOf needs one shard per key');
  // Each shard's key indices, in key order; with no keys, the default key alone.
  const shards = keys.length ? [...new Set(shardOf)].map((s) => shardOf.flatMap((x, i) => (x === s ? [i] : []))) : [[0]];
  const appends = (process: number) => workload === 'append' || (workload === 'both' && Math.floor(process / shards.length) % 2 === 1);
  // A shard's clients start at different keys, so two of them do not move over its keys in step.
  const keyOf = (process: number, n: number) => {
    const mine = shards[process % shards.length]!;
    return mine[(n + Math.floor(process / shards.length)) % mine.length]!;
  };
  // Unique across the run's processes, so that a value in a list names the one append that wrote it.
  let nextValue = 0;
  const tooLong = new Set<number>();
  const lastListRead = new Map<number, number>();
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
      const k = keyOf(process, n);
      const listing = appends(process);
      const read = mix(process, n) && !(listing && (tooLong.has(k) || Date.now() - (lastListRead.get(process) ?? -Infinity) < LIST_READ_INTERVAL_MS));
      if (listing && read) lastListRead.set(process, Date.now());
      const f: OpF = listing ? (read ? 'read-list' : 'append') : read ? 'read' : 'incr';
      const value = f === 'append' ? ++nextValue : null;
      const listKey = listing ? encodeURIComponent(listKeys[k]!) : '';
      const requestPath = f === 'append' ? `/append?key=${listKey}&value=${value}` : f === 'read-list' ? `/list?key=${listKey}` : `${f === 'incr' ? '/' : '/count'}${query[k] ?? ''}`;
      const started = Date.now();
      const index = history.invoke(process, f, clock.nowNs(), listing ? listKeys[k] : k === 0 ? undefined : keys[k], value);
      try {
        const response = await pool.request({
          method: 'GET',
          path: requestPath,
          // GET / and /append are not idempotent here, so undici must never replay them.
          idempotent: false,
          signal: AbortSignal.timeout(timeoutMs),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        const body = await response.body.text();
        const outcome = classifyResponse(f, response.statusCode, response.headers, body);
        if (outcome.list && outcome.list.length >= MAX_LIST_READ) tooLong.add(k);
        history.complete(index, outcome.type, value ?? outcome.value, clock.nowNs(), outcome.error, outcome.list);
      } catch (error) {
        const outcome = classifyClientError(f, error);
        history.complete(index, outcome.type, value ?? outcome.value, clock.nowNs(), outcome.error);
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
  const roundMs = ratePerClient ? Math.ceil((Math.max(...shards.map((s) => s.length)) * 1000) / ratePerClient) : null;
  return {
    done,
    roundMs,
    get stoppedEarly() {
      return stoppedEarly;
    },
    async stop() {
      stopper.abort();
      await done;
    },
  };
}
