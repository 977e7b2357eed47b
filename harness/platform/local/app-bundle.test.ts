// The hit counter's image on the local platform is one bundled file (app-bundle.ts): here it is
// built and run by plain Node against a real one-node cluster that it reaches by a Service name,
// which only the DNS shim bundled ahead of ioredis can resolve.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NotYet, waitUntil } from '../../util/wait.ts';
import { freePort } from './addresses.ts';
import { bundleApp } from './app-bundle.ts';

let dir: string;
let redis: ResultPromise;
let redisPort: number;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'app-bundle-'));
  redisPort = await freePort();
  redis = execa('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes', '--cluster-announce-ip', '127.0.0.1', '--cluster-config-file', path.join(dir, 'nodes.conf'), '--dir', dir], { reject: false });
  await waitUntil('a one-node cluster', async () => {
    const r = await execa('redis-cli', ['-p', String(redisPort), 'cluster', 'addslotsrange', '0', '16383'], { reject: false });
    if (r.exitCode !== 0) throw new NotYet(r.stderr || r.stdout);
  }, { timeoutMs: 10_000, intervalMs: 50 });
});
afterAll(async () => {
  redis?.kill('SIGKILL');
  await redis;
  await rm(dir, { recursive: true, force: true });
});

it('builds one file that plain Node runs: the app serves counts through a Service name, and drains on SIGTERM', async () => {
  const bundle = await bundleApp(path.join(dir, 'app'));
  expect(path.basename(bundle)).toBe('hit-counter.cjs');
  const hosts = path.join(dir, 'hosts');
  await writeFile(hosts, '127.0.0.1 redis-cluster.example.invalid\n');
  const port = await freePort();
  // No tsx, no node_modules beside it: everything the app needs is in the file.
  const app = execa(process.execPath, [bundle], {
    cwd: path.dirname(bundle), reject: false, timeout: 30_000, extendEnv: false,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: String(port), HOST: '127.0.0.1', REDIS_NODES: `redis-cluster.example.invalid:${redisPort}`, REDIS_CHAOS_HOSTS_FILE: hosts },
  });
  try {
    let body = '';
    await waitUntil('the bundled app serving a count', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/count`).catch((e: unknown) => e as Error);
      if (r instanceof Error || r.status !== 200) throw new NotYet(r instanceof Error ? r.message : `status ${r.status}`);
      body = await r.text();
    }, { timeoutMs: 15_000, intervalMs: 50 });
    expect(body).toMatch(/\d/);
  } finally {
    app.kill('SIGTERM');
  }
  const done = await app;
  expect(done.exitCode, done.stderr).toBe(0);
  expect(done.stdout).toContain(`hit-counter listening on 127.0.0.1:${port}, redis redis-cluster.example.invalid:${redisPort}`);
}, 40_000);

it('says which image could not be built, in one line', async () => {
  // An output folder that cannot be made (under a file) is the build's failure.
  await writeFile(path.join(dir, 'file'), '');
  await expect(bundleApp(path.join(dir, 'file', 'app'))).rejects.toThrow(/^could not build the hit counter's image \(esbuild\): ENOTDIR/);
});
