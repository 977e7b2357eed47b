// The app's log says why its cluster client is not ready, from real redis-servers: ioredis retries
// its seeds in silence, and a Kubernetes rollout that timed out showed only the app's start line.
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Cluster } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../harness/platform/local/addresses.ts';
import { NotYet, waitUntil } from '../../harness/util/wait.ts';
import { configFromEnv } from './config.ts';
import { logConnectTrouble } from './connect-trouble.ts';
import { createCluster } from './redis-client.ts';

let dir: string;
let server: ResultPromise | null = null;
let client: Cluster | null = null;
const lines: string[] = [];
const cli = (port: number, ...args: string[]) => execa('redis-cli', ['-p', String(port), ...args], { reject: false, timeout: 5000 });

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'connect-trouble-'));
  lines.length = 0;
});
afterEach(async () => {
  client?.disconnect();
  client = null;
  server?.kill('SIGKILL');
  await server;
  server = null;
  await rm(dir, { recursive: true, force: true });
});

/** The app's client on `port`, logging its trouble as main.ts does, with a line every 1 s. */
function appClient(port: number): Cluster {
  client = createCluster(configFromEnv({ REDIS_NODES: `127.0.0.1:${port}` }));
  client.on('error', () => undefined);
  logConnectTrouble(client, (line) => lines.push(line), { everyMs: 1000 });
  return client;
}
const logged = (what: string, test: (line: string) => boolean) => waitUntil(what, async () => {
  if (!lines.some(test)) throw new NotYet(`log: ${JSON.stringify(lines)}`);
}, { timeoutMs: 10_000, intervalMs: 50 });

describe("the app's log says why its cluster client is not ready", () => {
  it('a seed whose cluster has no slots yet: the ready check failed, then ready after the tries it took', async () => {
    const port = await freePort();
    server = execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes',
      '--cluster-announce-ip', '127.0.0.1', '--cluster-config-file', path.join(dir, 'nodes.conf'), '--dir', dir], { reject: false });
    await waitUntil('redis-server answers', async () => {
      if ((await cli(port, 'ping')).stdout.trim() !== 'PONG') throw new NotYet('no PONG');
    }, { timeoutMs: 10_000, intervalMs: 50 });
    const c = appClient(port);
    await logged('a line naming the ready check', (l) => /^redis: not ready \(1 failed try in 0\.0 s\): read the slots, but the ready check failed/.test(l));
    // Retried every 100 ms at first: ten tries and more in a second, yet one line a second.
    await logged('a second line a second later', (l) => /^redis: not ready \(\d+ failed tries in 1\.\d s\)/.test(l));
    expect(lines.length).toBeLessThanOrEqual(3);

    expect((await cli(port, 'cluster', 'addslotsrange', '0', '16383')).stdout.trim()).toBe('OK');
    await once(c, 'ready', { signal: AbortSignal.timeout(10_000) });
    expect(lines.at(-1)).toMatch(/^redis: ready after \d+ failed tries in \d+\.\d s$/);
  });

  it('a seed that refuses connections: no seed gave the slots, and which one and why', async () => {
    const port = await freePort(); // nothing listens there
    appClient(port);
    await logged('a line naming the seed', (l) => l.startsWith(`redis: not ready (1 failed try in 0.0 s): no seed gave the slots; last: 127.0.0.1:${port}: `)
      && /ECONNREFUSED|Connection is closed/.test(l));
  });
});
