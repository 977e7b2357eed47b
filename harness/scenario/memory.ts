import { keyInSlots, parseInfo } from '../cluster/index.ts';
import { errorMessage } from '../errors.ts';
import { formatBytes } from '../manifests/quantity.ts';
import { recoveryTimeoutMs } from '../session/health.ts';
import { NotYet, waitUntil } from '../util/wait.ts';
import type { ScenarioEnv } from './context.ts';

const CHUNK = 2 ** 20;
const TAG_PREFIX = 'ballast-';

/**
 * What the memory-limit scenario does to Redis, each as a client or an operator would do it: data
 * written with SET, an AOF rewrite asked for with BGREWRITEAOF, and Redis's own counters read
 * back with INFO. Nothing here reaches past Redis into the process or its cgroup.
 */
export class MemoryActions {
  /** The most values `fill` wrote: what `clear` deletes. */
  private keys = 0;

  constructor(
    private readonly env: ScenarioEnv,
    private readonly counterSlot: number,
    private readonly log: (message: string) => void,
  ) {}

  /** The Redis container's `limits.memory`, or null where the manifests set none (the forks then run unlimited). */
  get limitBytes(): number | null {
    return this.env.system.redis.container.resources?.limits.memoryBytes ?? null;
  }

  /**
   * Writes `bytes` in 1 MiB values to the counter key's slot, so that they land on `pod` while it is
   * the counter's master: SET `{<tag>}:ballast:<i>`. Called again, it overwrites the same keys, which
   * is what makes a forked child's copy-on-write cost real memory. Stops at the first refused write
   * (a master OOM-killed mid-way is the finding, not a harness error); returns the bytes written.
   */
  async fill(pod: string, bytes: number): Promise<number> {
    const value = 'x'.repeat(CHUNK);
    let written = 0;
    for (let i = 0; written < bytes; i++) {
      if (this.env.signal?.aborted) break;
      try {
        await this.env.platform.redis(pod, ['SET', this.key(i), value], { timeoutMs: 5000, ...(this.env.signal ? { signal: this.env.signal } : {}) });
      } catch (error) {
        this.log(`${pod} refused a write after ${formatBytes(written)}: ${errorMessage(error)}`);
        break;
      }
      written += CHUNK;
      this.keys = Math.max(this.keys, i + 1);
    }
    return written;
  }

  /** Deletes what `fill` wrote, on `pod` (the slot's master now): later scenarios on this cluster start without it. */
  async clear(pod: string): Promise<void> {
    for (let i = 0; i < this.keys; i += 100) {
      const keys = Array.from({ length: Math.min(100, this.keys - i) }, (_, j) => this.key(i + j));
      await this.env.platform.redis(pod, ['DEL', ...keys], { timeoutMs: 5000 });
    }
    this.keys = 0;
  }

  /** All in the counter key's slot: a hash tag whose slot is the counter's. */
  private key(i: number): string {
    return `{${keyInSlots([[this.counterSlot, this.counterSlot]], TAG_PREFIX)}}:ballast:${i}`;
  }

  /**
   * BGREWRITEAOF on `pod`, then until Redis says the rewrite is over: its status (`ok`, `err`),
   * or `lost` when the process that was asked is gone (killed: its successor knows nothing of it).
   */
  async rewriteAof(pod: string): Promise<string> {
    const runId = (await this.info(pod)).run_id;
    const reply = await this.env.platform.redis(pod, ['BGREWRITEAOF'], { timeoutMs: 5000 });
    this.log(`BGREWRITEAOF on ${pod}: ${String(reply)}`);
    return waitUntil(`${pod}'s AOF rewrite over`, async () => {
      const info = await this.info(pod).catch((error: unknown) => {
        throw new NotYet(`${pod} does not answer: ${errorMessage(error)}`);
      });
      if (info.run_id !== runId) return 'lost';
      if (info.aof_rewrite_in_progress !== '0' || info.aof_rewrite_scheduled !== '0') throw new NotYet(`rewrite in progress on ${pod}`);
      return info.aof_last_bgrewrite_status ?? 'unknown';
    }, { timeoutMs: recoveryTimeoutMs(this.env.nodeTimeoutMs), intervalMs: 100, signal: this.env.signal });
  }

  /**
   * Slows `pod`'s forked children by `usPerKey` microseconds per key saved (Redis's own
   * `rdb-key-save-delay`, which its test suite uses for this), so that a data set of a few dozen
   * values forks for as long as one of millions would: the copy-on-write cost of a fork grows with
   * the writes made while it lives, not with the key count. 0 undoes it; a restart forgets it.
   */
  async slowForks(pod: string, usPerKey: number): Promise<void> {
    await this.env.platform.redis(pod, ['CONFIG', 'SET', 'rdb-key-save-delay', String(usPerKey)], { timeoutMs: 5000 });
  }

  /**
   * Until `pod` answers and says cluster_state:ok (after an OOM kill, its restart): true, or false
   * at the recovery deadline (a pod OOM-killed again at every start is a finding, not an error).
   */
  async waitServing(pod: string): Promise<boolean> {
    return waitUntil(`${pod} serving`, async () => {
      const state = await this.env.platform.redis(pod, ['CLUSTER', 'INFO'], { timeoutMs: 2000 })
        .then((r) => parseInfo(String(r)).cluster_state ?? 'no cluster_state', (error: unknown) => errorMessage(error));
      if (state !== 'ok') throw new NotYet(`${pod}: ${state}`);
      return true;
    }, { timeoutMs: recoveryTimeoutMs(this.env.nodeTimeoutMs), intervalMs: 100, signal: this.env.signal }).catch((error: unknown) => {
      if (this.env.signal?.aborted) throw error;
      this.log(errorMessage(error));
      return false;
    });
  }

  /** Full syncs `pod` has served as a master since it started (INFO's sync_full); null if it does not answer. */
  async fullSyncs(pod: string): Promise<number | null> {
    return this.info(pod).then((i) => Number(i.sync_full ?? 0), () => null);
  }

  /** Until `pod` has served more than `before` full syncs: true, or false at the recovery deadline. */
  async waitForFullSync(pod: string, before: number): Promise<boolean> {
    return waitUntil(`a full sync served by ${pod}`, async () => {
      const now = await this.fullSyncs(pod);
      if (now === null || now <= before) throw new NotYet(`${pod} has served ${now ?? '?'} full syncs`);
      return true;
    }, { timeoutMs: recoveryTimeoutMs(this.env.nodeTimeoutMs), intervalMs: 100, signal: this.env.signal }).catch((error: unknown) => {
      if (this.env.signal?.aborted) throw error;
      this.log(`no full sync seen: ${errorMessage(error)}`);
      return false;
    });
  }

  /** Redis's own account of its memory, for the log: used, resident, peak. */
  async usage(pod: string): Promise<string> {
    const i = await this.info(pod).catch(() => null);
    if (!i) return `${pod}: no answer`;
    const limit = this.limitBytes;
    return `${pod}: used_memory ${i.used_memory_human}, rss ${i.used_memory_rss_human}, peak ${i.used_memory_peak_human} (${limit === null ? 'no limit' : `limit ${formatBytes(limit)}`})`;
  }

  private async info(pod: string): Promise<Record<string, string>> {
    return parseInfo(String(await this.env.platform.redis(pod, ['INFO', 'all'], { timeoutMs: 2000 })));
  }
}
