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

  async call(host: string, port: number, args: string[], { timeoutMs = 1000, signal }: CallOptions = {}): Promise<RedisReply> {
    if (this.closed) throw new Error('redis connections are closed');
    const [command, ...rest] = args;
    if (!command) throw new Error('empty Redis command');
    const client = this.connection(host, port, timeoutMs);
    const reply = client.call(command, ...rest) as Promise<RedisReply>;
    if (!signal) return await reply;
    signal.throwIfAborted();
    let onAbort = () => {};
    try {
      return await Promise.race([
        reply,
        new Promise<never>((_, reject) => {
          onAbort = () => reject(signal.reason);
          signal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      signal.removeEventListener('abort', onAbort);
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

  private connection(host: string, port: number, timeoutMs: number): Redis {
    const key = `${host}:${port}`;
    const existing = this.pool.get(key);
    if (existing && existing.status !== 'end' && existing.status !== 'close') return existing;
    const client = new Redis({
      host,
      port,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
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
