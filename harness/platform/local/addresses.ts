import { createServer } from 'node:net';
import { randomInt } from 'node:crypto';

/**
 * Pod IPs on the local platform: each run takes its own 127.A.B.0/24 (all of 127/8 is loopback on
 * Linux), and each pod *incarnation* takes the next address in it, so a re-created pod comes back
 * under a new IP exactly as on Kubernetes, while a restarted container keeps its own.
 */
export class LoopbackAllocator {
  private next = 1;

  constructor(readonly prefix: string) {}

  static random(avoid: Set<string> = new Set()): LoopbackAllocator {
    for (let i = 0; i < 1000; i++) {
      const prefix = `127.${randomInt(16, 255)}.${randomInt(0, 256)}`;
      if (!avoid.has(prefix)) return new LoopbackAllocator(prefix);
    }
    throw new Error('no free 127.x.y.0/24 range for this run');
  }

  /** The next address whose `ports` are all free to bind. */
  async allocate(ports: number[]): Promise<string> {
    while (this.next < 255) {
      const ip = `${this.prefix}.${this.next++}`;
      if (await allFree(ip, ports)) return ip;
    }
    throw new Error(`loopback range ${this.prefix}.0/24 is exhausted`);
  }
}

async function allFree(ip: string, ports: number[]): Promise<boolean> {
  for (const port of ports) if (!(await canBind(ip, port))) return false;
  return true;
}

export function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A free TCP port on a loopback address, for the app's endpoint. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
