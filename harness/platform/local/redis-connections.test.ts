import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotYet, waitUntil } from '../../util/wait.ts';
import { freePort } from './addresses.ts';
import { RedisConnections } from './redis-connections.ts';

// A real redis-server: what is under test is how a shared connection bounds each call.
let server: ResultPromise;
let port: number;
beforeAll(async () => {
  port = await freePort();
  server = execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes'], { reject: false });
  const probe = new RedisConnections();
  await waitUntil('redis-server up', async () => {
    await probe.call('127.0.0.1', port, ['PING'], { timeoutMs: 200 }).catch((e: unknown) => { throw new NotYet(String(e)); });
  }, { timeoutMs: 10_000, intervalMs: 50 });
  probe.close();
});
afterAll(async () => {
  server.kill('SIGKILL');
  await server;
});

describe('RedisConnections', () => {
  it("gives each call its own deadline, not that of the call that made the connection", async () => {
    const c = new RedisConnections();
    try {
      // The sampler's 250 ms call makes the connection first...
      expect(await c.call('127.0.0.1', port, ['PING'], { timeoutMs: 250 })).toBe('PONG');
      // ...and a 2 s call on it may take 600 ms (before the fix it failed after 250 ms).
      expect(await c.call('127.0.0.1', port, ['DEBUG', 'SLEEP', '0.6'], { timeoutMs: 2000 })).toBe('OK');
      // A call past its own deadline still fails, and the connection serves the next one.
      await expect(c.call('127.0.0.1', port, ['DEBUG', 'SLEEP', '0.6'], { timeoutMs: 100 })).rejects.toThrow(/DEBUG to 127\.0\.0\.1:\d+: no reply within 100 ms/);
      expect(await c.call('127.0.0.1', port, ['PING'], { timeoutMs: 2000 })).toBe('PONG');
    } finally {
      c.close();
    }
  });

  it('stops waiting when the signal aborts', async () => {
    const c = new RedisConnections();
    try {
      const abort = new AbortController();
      const call = c.call('127.0.0.1', port, ['DEBUG', 'SLEEP', '0.5'], { timeoutMs: 5000, signal: abort.signal });
      setTimeout(() => abort.abort(new Error('interrupted')), 50);
      await expect(call).rejects.toThrow('interrupted');
    } finally {
      c.close();
    }
  });
});
