// A new app's first commands to a shard, all at once. ioredis connects to a master at the first
// command for it and, with the offline queue off (the app's setting), fails every other command
// for that node meanwhile with "Connection is closed", unsent: 14 of a cold run's 24 baseline
// reads were refused so (a trace of the app's cluster events, 2026-12-06). Two real nodes, so that
// the client's ready check connects one and the other is still to connect, as in a new app.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import calculateSlot from 'cluster-key-slot';
import { execa, type ResultPromise } from 'execa';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../harness/platform/local/addresses.ts';
import { NotYet, waitUntil } from '../../harness/util/wait.ts';
import { configFromEnv } from './config.ts';
import { createCluster, ensureSendable } from './redis-client.ts';

const servers: ResultPromise[] = [];
let dir: string;
const ports: number[] = [];
const cli = (port: number, ...args: string[]) => execa('redis-cli', ['-p', String(port), ...args], { reject: false });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'first-connect-'));
  for (const i of [0, 1]) {
    const port = await freePort();
    ports.push(port);
    servers.push(execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes',
      '--cluster-announce-ip', '127.0.0.1', '--cluster-config-file', path.join(dir, `nodes-${i}.conf`), '--dir', dir], { reject: false }));
  }
  await waitUntil('two nodes, each with half the slots', async () => {
    const a = await cli(ports[0]!, 'cluster', 'addslotsrange', '0', '8191');
    const b = await cli(ports[1]!, 'cluster', 'addslotsrange', '8192', '16383');
    if (a.exitCode !== 0 || b.exitCode !== 0) throw new NotYet(a.stderr || b.stderr);
  }, { timeoutMs: 10_000, intervalMs: 50 });
  await cli(ports[0]!, 'cluster', 'meet', '127.0.0.1', String(ports[1]));
  await waitUntil('cluster_state:ok on both', async () => {
    for (const port of ports) if (!(await cli(port, 'cluster', 'info')).stdout.includes('cluster_state:ok')) throw new NotYet(`${port} not ok`);
  }, { timeoutMs: 20_000, intervalMs: 50 });
});
afterAll(async () => {
  for (const s of servers) s.kill('SIGKILL');
  await Promise.allSettled(servers);
  await rm(dir, { recursive: true, force: true });
});

/** A new client, ready, and keys of a master it has not connected to yet. */
async function newClient(): Promise<{ client: Cluster; keys: string[] }> {
  const client = createCluster(configFromEnv({ REDIS_NODES: ports.map((p) => `127.0.0.1:${p}`).join(',') }));
  client.on('error', () => undefined);
  await once(client, 'ready', { signal: AbortSignal.timeout(10_000) });
  const fresh = client.nodes('master').find((n: Redis) => n.status === 'wait');
  if (!fresh) {
    client.disconnect();
    throw new Error(`no master left to connect: ${client.nodes('master').map((n) => n.status).join(', ')}`);
  }
  const owner = `${fresh.options.host}:${fresh.options.port}`;
  const keys: string[] = [];
  for (let i = 0; keys.length < 12; i++) if (client.slots[calculateSlot(`k${i}`)]?.[0] === owner) keys.push(`k${i}`);
  return { client, keys };
}

describe("a new client's first commands to a shard, all at once", () => {
  it('ioredis alone refuses all but the first while the connection is made ("Connection is closed", unsent)', async () => {
    const { client, keys } = await newClient();
    try {
      const outcomes = await Promise.all(keys.map((k) => client.get(k).then(() => 'ok', (e: Error) => e.message)));
      expect(outcomes[0]).toBe('ok');
      expect(new Set(outcomes.slice(1))).toEqual(new Set(['Connection is closed.']));
    } finally {
      client.disconnect();
    }
  });

  it('through ensureSendable (every command the app sends), each is sent and answered, with one wait for the node', async () => {
    const { client, keys } = await newClient();
    // A listener pair per waiting request passed Node's limit of 10 (the app's log, under load).
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const outcomes = await Promise.all(keys.map((k) => ensureSendable(client, k).then(() => client.get(k)).then(() => 'ok', (e: Error) => e.message)));
      expect(outcomes).toEqual(Array(keys.length).fill('ok'));
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      client.disconnect();
    }
  });
});
