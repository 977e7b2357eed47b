import { Redis } from 'ioredis';
import type { CallOptions, RedisReply } from '../types.ts';

/**
 * One plain (non-cluster) ioredis connection per node address, reused by the topology sampler
 * every 250 ms. Nothing is retried or queued: a dead node must fail fast, so a connection that
 * closes is dropped and the next call dials again.
 */
export class RedisConnections {
  private readonly pool = new Map<string, Redis>();
  private closed = false;

  /**
   * Each call has its own deadline. The connection is shared, so its own timeouts cannot be the
   * call's: ioredis fixes `commandTimeout` when a client is made, and the topology sampler (250 ms
   * bound, every 250 ms) often makes it first, after which a final snapshot or a bootstrap asking
   * for 1000 ms would get 250 ms, and one late reply under load would judge a healthy node
   * unreachable. A call past its deadline rejects; its late reply is read and dropped.
   */
  async call(host: string, port: number, args: string[], { timeoutMs = 1000, signal }: CallOptions = {}): Promise<RedisReply> {
    if (this.closed) throw new Error('redis connections are closed');
    const [command, ...rest] = args;
    if (!command) throw new Error('empty Redis command');
    signal?.throwIfAborted();
    const client = this.connection(host, port);
    const reply = client.call(command, ...rest) as Promise<RedisReply>;
    let timer: NodeJS.Timeout | undefined;
    let onAbort = () => {};
    try {
      return await Promise.race([
        reply,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${command} to ${host}:${port}: no reply within ${timeoutMs} ms`)), timeoutMs);
          if (!signal) return;
          onAbort = () => reject(signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      // A reply that lost the race must not become an unhandled rejection.
      reply.catch(() => undefined);
    }
  }

  /** Drops the connection to an address, e.g. when its pod is re-created elsewhere. */
  forget(host: string, port: number): void {
    const key = `${host}:${port}`;
    this.pool.get(key)?.disconnect();
    this.pool.delete(key);
  }

  close(): void {
    this.closed = true;
    for (const client of this.pool.values()) client.disconnect();
    this.pool.clear();
  }

  private connection(host: string, port: number): Redis {
    const key = `${host}:${port}`;
    const existing = this.pool.get(key);
    if (existing && existing.status !== 'end' && existing.status !== 'close') return existing;
    const client = new Redis({
      host,
      port,
      // A connect that hangs (a SYN dropped by a partition) is given up after a second, so that
      // the next call dials afresh once the cut is healed; each call's own deadline is in call().
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableReadyCheck: false,
      lazyConnect: false,
    });
    client.on('error', () => {
      // surfaced through the rejected command; without a listener ioredis would crash the process
    });
    client.on('end', () => {
      if (this.pool.get(key) === client) this.pool.delete(key);
    });
    this.pool.set(key, client);
    return client;
  }
}
