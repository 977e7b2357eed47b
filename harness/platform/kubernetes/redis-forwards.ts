import type { PortForward } from '@kubernetes/client-node';
import { RedisConnections } from '../local/redis-connections.ts';
import type { CallOptions, RedisReply } from '../types.ts';
import { forwardPort } from './streams.ts';

/**
 * Redis commands to the run's Redis pods through the API server: one port-forward per pod, made at
 * its first command and kept, with a connection through it (RedisConnections, as the local
 * platform has them to each pod's IP).
 */
export class RedisForwards {
  private readonly connections = new RedisConnections();
  private readonly forwards = new Map<string, Promise<{ port: number; close(): Promise<void> }>>();

  constructor(private readonly pf: PortForward, private readonly namespace: string, private readonly clientPort: number) {}

  async call(pod: string, args: string[], options?: CallOptions): Promise<RedisReply> {
    const forward = await this.forward(pod);
    return this.connections.call('127.0.0.1', forward.port, args, options);
  }

  /** At teardown: every connection and forward closed. */
  async close(): Promise<void> {
    this.connections.close();
    for (const f of this.forwards.values()) await (await f).close();
  }

  /** Closes every forward and forgets its connections: after a full restart they name pods that are gone. */
  async drop(): Promise<void> {
    for (const f of this.forwards.values()) {
      const forward = await f.catch(() => null);
      if (!forward) continue;
      this.connections.forget('127.0.0.1', forward.port);
      await forward.close().catch(() => undefined);
    }
    this.forwards.clear();
  }

  private forward(pod: string): Promise<{ port: number; close(): Promise<void> }> {
    let f = this.forwards.get(pod);
    if (!f) {
      f = forwardPort(this.pf, this.namespace, async () => pod, this.clientPort);
      this.forwards.set(pod, f);
    }
    return f;
  }
}
