import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../harness/platform/local/addresses.ts';
import { NotYet, waitUntil } from '../../harness/util/wait.ts';
import { configFromEnv } from './config.ts';
import { createCluster } from './redis-client.ts';
import { createHitCounter } from './server.ts';

// A one-node cluster holding every slot: the app speaks only the cluster protocol. It announces its
// address, since a node never MEET knows no IP of its own and CLUSTER SLOTS would say ''.
let redis: ResultPromise;
let dir: string;
let cluster: Cluster;
let app: ReturnType<typeof createHitCounter>;
let url: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hit-counter-'));
  const port = await freePort();
  redis = execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes', '--cluster-announce-ip', '127.0.0.1', '--cluster-config-file', path.join(dir, 'nodes.conf'), '--dir', dir], { reject: false });
  await waitUntil('a one-node cluster', async () => {
    const r = await execa('redis-cli', ['-p', String(port), 'cluster', 'addslotsrange', '0', '16383'], { reject: false });
    if (r.exitCode !== 0) throw new NotYet(r.stderr || r.stdout);
  }, { timeoutMs: 10_000, intervalMs: 50 });
  await waitUntil('cluster_state:ok', async () => {
    const r = await execa('redis-cli', ['-p', String(port), 'cluster', 'info'], { reject: false });
    if (!r.stdout.includes('cluster_state:ok')) throw new NotYet(r.stdout.split('\n')[0] ?? '');
  }, { timeoutMs: 10_000, intervalMs: 50 });
  cluster = createCluster(configFromEnv({ REDIS_NODES: `127.0.0.1:${port}` }));
  cluster.on('error', () => undefined);
  app = createHitCounter(configFromEnv({}), cluster);
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  await waitUntil('app ready', async () => {
    if ((await fetch(`${url}/readyz`)).status !== 200) throw new NotYet('not ready');
  }, { timeoutMs: 10_000, intervalMs: 50 });
});
afterAll(async () => {
  app?.close();
  app?.closeAllConnections();
  cluster?.disconnect();
  redis?.kill('SIGKILL');
  await redis;
  await rm(dir, { recursive: true, force: true });
});

const get = async (p: string) => {
  const r = await fetch(`${url}${p}`);
  return { status: r.status, headers: r.headers, body: await r.text() };
};

describe('the app on a real Redis', () => {
  it('appends to a list and reads it back in order', async () => {
    const key = `list:{a}:${Date.now()}`;
    const first = await get(`/append?key=${encodeURIComponent(key)}&value=7`);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-list-length')).toBe('1');
    expect((await get(`/append?key=${encodeURIComponent(key)}&value=3`)).headers.get('x-list-length')).toBe('2');
    const list = await get(`/list?key=${encodeURIComponent(key)}`);
    expect(list.status).toBe(200);
    expect(JSON.parse(list.body)).toEqual(['7', '3']);
    expect(JSON.parse((await get('/list?key=never-written')).body)).toEqual([]);
  });

  it('still counts: the append route shares the write path with INCR', async () => {
    const r = await get('/?key=counted');
    expect(r.status).toBe(200);
    expect(Number(r.headers.get('x-hit-count'))).toBeGreaterThan(0);
    expect(JSON.parse((await get('/count?key=counted')).body)).toEqual({ count: Number(r.headers.get('x-hit-count')) });
  });

  it('refuses an append without a value, or with a bad one', async () => {
    expect(await get('/append?key=x')).toMatchObject({ status: 400, body: 'bad value: missing\n' });
    expect(await get('/append?key=x&value=')).toMatchObject({ status: 400, body: 'bad value: empty\n' });
    expect(await get('/append?key=x&value=a%20b')).toMatchObject({ status: 400 });
  });

  it('with WAIT_REPLICAS, a write answers how many replicas acknowledged it and how many it asked for', async () => {
    // This node has no replica, so WAIT times out with 0: a write the harness classifies as info.
    const waiting = createHitCounter(configFromEnv({ WAIT_REPLICAS: '1', WAIT_TIMEOUT_MS: '20' }), cluster);
    await new Promise<void>((resolve) => waiting.listen(0, '127.0.0.1', resolve));
    try {
      const r = await fetch(`http://127.0.0.1:${(waiting.address() as AddressInfo).port}/?key=waited`);
      expect(r.status).toBe(200);
      expect(Object.fromEntries(['x-replicas-acked', 'x-replicas-wanted'].map((h) => [h, r.headers.get(h)]))).toEqual({ 'x-replicas-acked': '0', 'x-replicas-wanted': '1' });
      await r.text();
    } finally {
      waiting.close();
      waiting.closeAllConnections();
    }
  });

  it("a Redis error is a 503 that says whether the append may have run", async () => {
    await get('/?key=a-string');
    const r = await get('/append?key=a-string&value=1');
    expect(r.status).toBe(503);
    expect(r.body).toMatch(/WRONGTYPE/);
    // Not a reply the app knows to mean "not executed", so it says maybe, as for INCR.
    expect(r.headers.get('x-write-applied')).toBe('maybe');
    expect((await get('/list?key=a-string')).headers.get('x-write-applied')).toBe('no');
  });
});
