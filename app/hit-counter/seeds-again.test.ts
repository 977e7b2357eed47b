// A client that has lost every node it knew finds the cluster again through its seeds. After a
// full restart on new IPs, ioredis kept the old slot map and a replica it had never connected to,
// so its pool never emptied and it never went back to the seeds (the Service name, in the app):
// every request was refused until the end of a hardened full-restart (ioredis#1732). Real
// redis-servers: a master and its replica, killed, and a new master on another address.
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
import { createCluster, ensureSendable, reconnectIfLost } from './redis-client.ts';

let dir: string;
const servers = new Map<number, ResultPromise>();
const cli = (port: number, ...args: string[]) => execa('redis-cli', ['-p', String(port), ...args], { reject: false, timeout: 5000 });

function start(port: number, name: string): void {
  servers.set(port, execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes',
    '--cluster-node-timeout', '5000', '--cluster-announce-ip', '127.0.0.1', '--repl-diskless-sync-delay', '0', '--cluster-config-file', path.join(dir, `${name}.conf`), '--dir', dir], { reject: false }));
}
async function kill(port: number): Promise<void> {
  servers.get(port)?.kill('SIGKILL');
  await servers.get(port);
  servers.delete(port);
}
const until = (what: string, check: () => Promise<void>) => waitUntil(what, check, { timeoutMs: 15_000, intervalMs: 50 });
const stateOk = (port: number) => until(`cluster_state:ok on ${port}`, async () => {
  if (!(await cli(port, 'cluster', 'info')).stdout.includes('cluster_state:ok')) throw new NotYet('not ok');
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'seeds-again-'));
});
afterEach(async () => {
  for (const port of [...servers.keys()]) await kill(port);
  await rm(dir, { recursive: true, force: true });
});

/** A master with every slot and a replica of it; the client ready, its seeds the master and `next`. */
async function clusterAndClient(): Promise<{ client: Cluster; master: number; replica: number; next: number }> {
  const [master, replica, next] = [await freePort(), await freePort(), await freePort()];
  start(master, 'master');
  start(replica, 'replica');
  await until('the master takes every slot', async () => {
    const r = await cli(master, 'cluster', 'addslotsrange', '0', '16383');
    if (r.exitCode !== 0 || /ERR/.test(r.stdout)) throw new NotYet(r.stdout || r.stderr);
  });
  // Until it is accepted: sent once, before the replica listened, it was lost, and the replica
  // never knew the master (a CI run's "ERR Unknown node" for 15 s on a busy machine).
  await until('the replica meets the master', async () => {
    const r = await cli(replica, 'cluster', 'meet', '127.0.0.1', String(master));
    if (r.stdout.trim() !== 'OK') throw new NotYet(r.stdout || r.stderr);
  });
  const masterId = (await cli(master, 'cluster', 'myid')).stdout.trim();
  await until('the replica replicates the master', async () => {
    const r = await cli(replica, 'cluster', 'replicate', masterId);
    if (r.stdout.trim() !== 'OK') throw new NotYet(r.stdout);
  });
  await stateOk(master);
  // Redis lists no replica at replication offset 0, and an idle master's moves only at its 10 s ping.
  await until('CLUSTER SLOTS names the replica', async () => {
    await cli(master, 'set', 'k', '0');
    if (!(await cli(master, 'cluster', 'slots')).stdout.includes(String(replica))) throw new NotYet('not yet');
  });
  const client = createCluster(configFromEnv({ REDIS_NODES: `127.0.0.1:${master},127.0.0.1:${next}` }));
  client.on('error', () => undefined);
  await once(client, 'ready', { signal: AbortSignal.timeout(10_000) });
  await ensureSendable(client, 'k');
  await client.incr('k');
  return { client, master, replica, next };
}

/** The full restart on new addresses: the master and its replica gone, a new master with every slot at `next`. */
async function restartElsewhere(master: number, replica: number, next: number): Promise<void> {
  await Promise.all([kill(master), kill(replica)]);
  start(next, 'next');
  await until('the new master takes every slot', async () => {
    if ((await cli(next, 'cluster', 'addslotsrange', '0', '16383')).exitCode !== 0) throw new NotYet('not up');
  });
  await stateOk(next);
}

/** Every 100 ms for up to `ms`, a write as the app sends it: the first that was answered, or null. */
async function firstServed(client: Cluster, ms: number): Promise<number | null> {
  const from = performance.now();
  while (performance.now() - from < ms) {
    const ok = await ensureSendable(client, 'k').then(() => client.incr('k')).then(() => true, () => false);
    if (ok) return Math.round(performance.now() - from);
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

describe('a client whose every known node is gone', () => {
  it('keeps one replica it never connected to, so ioredis alone never goes back to its seeds', async () => {
    const { client, master, replica, next } = await clusterAndClient();
    try {
      await restartElsewhere(master, replica, next);
      // ioredis's own refresh, every second, asks only the nodes it knows.
      const refreshed = await new Promise<Error | null | undefined>((resolve) => client.refreshSlotsCache(resolve));
      expect(refreshed?.message).toBe('Failed to refresh slots cache.');
      expect(client.nodes('all').map((n) => n.options.port)).toEqual([replica]);
      expect(client.status).toBe('ready');
    } finally {
      client.disconnect();
    }
  });

  it('finds the new master through its seeds: the app writes again', async () => {
    const { client, master, replica, next } = await clusterAndClient();
    try {
      await restartElsewhere(master, replica, next);
      expect(await firstServed(client, 10_000)).not.toBeNull();
      expect(client.nodes('master').map((n) => n.options.port)).toEqual([next]);
    } finally {
      client.disconnect();
    }
  });

  it('reconnects only on every node failing, and only while ready', () => {
    const calls: boolean[] = [];
    const fake = (status: string) => ({ status, disconnect: (reconnect: boolean) => calls.push(reconnect) }) as unknown as Cluster;
    reconnectIfLost(fake('ready'), null);
    reconnectIfLost(fake('ready'), new Error('Connection is closed.'));
    reconnectIfLost(fake('reconnecting'), new Error('Failed to refresh slots cache.'));
    expect(calls).toEqual([]);
    reconnectIfLost(fake('ready'), new Error('Failed to refresh slots cache.'));
    expect(calls).toEqual([true]);
  });
});
