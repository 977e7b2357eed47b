// forwardPort against a stand-in for client-node's PortForward (contract test: what the forward does
// with its two sockets when either closes). The same path on a real node: test/k8s/ (npm run test:k8s).
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../util/wait.ts';
import { forwardPort } from './streams.ts';

class FakeWebSocket extends EventEmitter {
  closed = false;
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

function fakePortForward() {
  const opened: { pod: string; ws: FakeWebSocket; output: NodeJS.WritableStream }[] = [];
  return {
    opened,
    portForward: async (_ns: string, pod: string, _ports: number[], output: NodeJS.WritableStream) => {
      const ws = new FakeWebSocket();
      opened.push({ pod, ws, output });
      return ws as never;
    },
  };
}

async function connected(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  await once(s, 'connect');
  return s;
}

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await sleep(10);
  if (!ok()) throw new Error(`${what}: not within 2 s`);
};

describe('forwardPort', () => {
  it('closes the local connection when the pod side closes (the pod was deleted or killed)', async () => {
    const pf = fakePortForward();
    const forward = await forwardPort(pf, 'ns', async () => 'redis-cluster-0', 6379);
    const client = await connected(forward.port);
    await until('forward opened', () => pf.opened.length === 1);
    pf.opened[0]!.output.write('+PONG\r\n');
    const [data] = await once(client, 'data');
    expect(String(data)).toBe('+PONG\r\n');
    const closed = once(client, 'close');
    pf.opened[0]!.ws.close();
    await closed;
    expect(client.destroyed).toBe(true);
    // A new connection resolves the pod again and opens a new forward.
    const again = await connected(forward.port);
    await until('second forward', () => pf.opened.length === 2);
    again.destroy();
    await forward.close();
  });

  it('closes the pod side when the local connection closes', async () => {
    const pf = fakePortForward();
    const forward = await forwardPort(pf, 'ns', async () => 'redis-cluster-1', 6379);
    const client = await connected(forward.port);
    await until('forward opened', () => pf.opened.length === 1);
    client.destroy();
    await until('WebSocket closed', () => pf.opened[0]!.ws.closed);
    await forward.close();
  });

  it('close() ends open connections instead of waiting for them', async () => {
    const pf = fakePortForward();
    const forward = await forwardPort(pf, 'ns', async () => 'redis-cluster-2', 6379);
    const client = await connected(forward.port);
    await until('forward opened', () => pf.opened.length === 1);
    const closed = once(client, 'close');
    await forward.close();
    await closed;
    expect(pf.opened[0]!.ws.closed).toBe(true);
  });

  it('refuses the connection when the pod cannot be resolved', async () => {
    const pf = fakePortForward();
    const forward = await forwardPort(pf, 'ns', async () => { throw new Error('no ready pod'); }, 5000);
    const client = await connected(forward.port);
    await once(client, 'close');
    expect(pf.opened).toHaveLength(0);
    await forward.close();
  });
});
