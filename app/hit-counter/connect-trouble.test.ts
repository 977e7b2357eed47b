// The app's log says why its cluster client is not ready, and the client is connected again when
// ioredis leaves it closed for good; from real redis-servers. ioredis retries its seeds in silence,
// and a Kubernetes rollout that timed out showed only the app's start line (then, with the log, one
// "not ready" line and nothing after: the client had stopped trying).
import { lookup } from 'node:dns';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Cluster } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../harness/platform/local/addresses.ts';
import { NotYet, waitUntil } from '../../harness/util/wait.ts';
import { configFromEnv } from './config.ts';
import { logConnectTrouble, reconnectIfStuck } from './connect-trouble.ts';
import { createCluster } from './redis-client.ts';

let dir: string;
let server: ResultPromise | null = null;
const more: ResultPromise[] = [];
const proxies: net.Server[] = [];
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
  for (const s of [server, ...more.splice(0)]) s?.kill('SIGKILL');
  await Promise.allSettled([server, ...more]);
  server = null;
  for (const p of proxies.splice(0)) p.close();
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

/** A cluster-enabled redis-server on a free port whose peers and clients are told `announcePort`. */
async function redisNode(name: string, announcePort: number): Promise<number> {
  const port = await freePort();
  more.push(execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '-::1', '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes',
    '--cluster-announce-ip', '127.0.0.1', '--cluster-announce-port', String(announcePort), '--cluster-announce-bus-port', String(port + 10000),
    '--cluster-config-file', path.join(dir, `${name}.conf`), '--dir', dir], { reject: false }));
  await waitUntil(`${name} answers`, async () => {
    if ((await cli(port, 'ping')).stdout.trim() !== 'PONG') throw new NotYet('no PONG');
  }, { timeoutMs: 10_000, intervalMs: 50 });
  return port;
}

/**
 * A TCP proxy on `port` to `target` that passes a client's close on to the server `closeAfterMs`
 * late, as a busy node's connection can be: the client's socket closes only then.
 */
async function slowToClose(port: number, target: number, closeAfterMs: number): Promise<void> {
  const proxy = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ port: target, host: '127.0.0.1', allowHalfOpen: true });
    client.pipe(upstream, { end: false });
    upstream.pipe(client, { end: false });
    const close = () => { client.destroy(); upstream.destroy(); };
    client.on('end', () => setTimeout(close, closeAfterMs));
    client.on('error', close);
    upstream.on('error', close);
    upstream.on('end', close);
  });
  proxies.push(proxy);
  await new Promise<void>((resolve) => proxy.listen(port, '127.0.0.1', resolve));
}

describe('a client that ioredis left closed for good', () => {
  /**
   * Two masters with a few slots each (cluster_state:fail, so the ready check fails), reached by the
   * client through proxies that close 700 ms late; the seed is a name that takes 1.5 s to resolve
   * after the first try. The node the ready check asked closes after the retry began, empties the
   * pool again while the name resolves, and that try gives up: ioredis never tries again.
   */
  async function wedged(withWatchdog: boolean) {
    const [qa, qb] = [await freePort(), await freePort()];
    const [a, b] = [await redisNode('a', qa), await redisNode('b', qb)];
    await slowToClose(qa, a, 700);
    await slowToClose(qb, b, 700);
    expect((await cli(a, 'cluster', 'addslotsrange', '0', '99')).stdout.trim()).toBe('OK');
    expect((await cli(b, 'cluster', 'addslotsrange', '100', '199')).stdout.trim()).toBe('OK');
    expect((await cli(a, 'cluster', 'meet', '127.0.0.1', String(b), String(b + 10000))).stdout.trim()).toBe('OK');
    await waitUntil('a lists b\'s slots', async () => {
      if (!(await cli(a, 'cluster', 'slots')).stdout.includes(String(qb))) throw new NotYet('not yet');
    }, { timeoutMs: 10_000, intervalMs: 50 });

    client = createCluster(configFromEnv({ REDIS_NODES: `localhost:${a}` }));
    client.on('error', () => undefined);
    logConnectTrouble(client, (line) => lines.push(line), { everyMs: 1000 });
    if (withWatchdog) reconnectIfStuck(client, (line) => lines.push(line));
    // The first try resolves at once; every later one takes 1.5 s.
    client.options.dnsLookup = (host, callback) => { setTimeout(() => lookup(host, { family: 4 }, callback), 1500); };
    const c = client;
    await logged('the first failed ready check', (l) => /read the slots, but the ready check failed/.test(l));
    await waitUntil('the client left closed', async () => {
      if (c.status !== 'close') throw new NotYet(c.status);
    }, { timeoutMs: 10_000, intervalMs: 20 });
    // The cluster is whole from here: any try from now on makes the client ready.
    expect((await cli(a, 'cluster', 'addslotsrange', '200', '16383')).stdout.trim()).toBe('OK');
    await waitUntil('cluster_state:ok on both', async () => {
      for (const port of [a, b]) if (!(await cli(port, 'cluster', 'info')).stdout.includes('cluster_state:ok')) throw new NotYet(`${port} not ok`);
    }, { timeoutMs: 20_000, intervalMs: 50 });
    return c;
  }

  it('ioredis alone: the client stays closed and never tries again, the cluster whole', async () => {
    const c = await wedged(false);
    const tries = lines.filter((l) => l.startsWith('redis: not ready')).length;
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(c.status).toBe('close');
    expect(lines.filter((l) => l.startsWith('redis: not ready')).length).toBe(tries);
  }, 40_000);

  it('with reconnectIfStuck: connected again, said in the log, and ready', async () => {
    const c = await wedged(true);
    if (c.status !== 'ready') await once(c, 'ready', { signal: AbortSignal.timeout(10_000) });
    expect(lines.find((l) => l.startsWith('redis: the client sat in close for '))).toMatch(/with no reconnect scheduled; connecting again$/);
    expect(lines.at(-1)).toMatch(/^redis: ready after \d+ failed tr(y|ies) in/);
  }, 40_000);
});
