// Finding the system under test whatever it is called (issue 17 §2): the Redis StatefulSet by what
// its pods run, its client and bus ports, its Services, the app; and folders in any layout.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManifestError } from '../errors.ts';
import { loadManifests, requireApp, resolveSystem, type NameChoices } from './index.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const RENAMED = path.join(ROOT, 'examples/renamed');
const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

async function folderWith(files: Record<string, string>, from?: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'discover-test-'));
  made.push(dir);
  if (from) await cp(from, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

const resolve = async (dir: string, choices: NameChoices = {}) => resolveSystem(await loadManifests(dir), choices);
async function failure(dir: string, choices: NameChoices = {}): Promise<string> {
  const error = await resolve(dir, choices).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(ManifestError);
  const message = (error as ManifestError).message;
  expect(message.split('\n')).toHaveLength(1);
  return message;
}

/** A StatefulSet of `replicas` pods with `container` (YAML lines, indented for `containers:`). */
const statefulSet = (name: string, container: string, replicas = 6) => `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ${name}
spec:
  serviceName: ${name}
  replicas: ${replicas}
  selector:
    matchLabels: {tier: ${name}}
  template:
    metadata:
      labels: {tier: ${name}}
    spec:
      containers:
${container}`;

/** examples/renamed's `cache` StatefulSet and ConfigMap again, as `name` with its own ConfigMap. */
async function renamedAs(name: string): Promise<string> {
  const text = await readFile(path.join(RENAMED, 'cache/cache.yaml'), 'utf8');
  return text.replace(/name: cache$/m, `name: ${name}`).replaceAll('cache-config', `${name}-config`).replaceAll('tier: cache', `tier: ${name}`);
}

describe('the Redis StatefulSet, whatever it is called', () => {
  it('examples/renamed: cache, its container, ports, headless and client Services, and the app', async () => {
    const { redis, app } = await resolve(RENAMED);
    expect([redis.statefulSet.name, redis.container.name, redis.clientPort, redis.busPort, redis.service?.name]).toEqual(['cache', 'server', 6379, 16379, 'cache-peers']);
    expect(redis.configFile).toEqual({ path: '/conf/redis.conf', configMap: 'cache-config', key: 'redis.conf' });
    expect([app?.deployment.name, app?.service?.name, app?.port]).toEqual(['counter', 'counter-http', 5000]);
  });

  it('two StatefulSets with cluster-enabled yes: one line naming both and --statefulset; --statefulset picks', async () => {
    const dir = await folderWith({ 'sessions/sessions.yaml': await renamedAs('sessions') }, RENAMED);
    expect(await failure(dir)).toBe(`${dir}: 2 StatefulSets run redis-server with cluster-enabled yes (cache, sessions): choose one with --statefulset NAME`);
    const chosen = await resolve(dir, { statefulSet: 'sessions' });
    expect([chosen.redis.statefulSet.name, chosen.redis.configFile?.configMap]).toEqual(['sessions', 'sessions-config']);
    expect((await resolve(dir, { statefulSet: 'cache' })).redis.statefulSet.name).toBe('cache');
  });

  it('an unknown --statefulset: one line listing the StatefulSets present', async () => {
    expect(await failure(RENAMED, { statefulSet: 'redis-cluster' })).toMatch(/: --statefulset redis-cluster: no such StatefulSet; present: cache$/);
  });

  it('only the one with cluster-enabled qualifies: a standalone Redis and a database beside it are not chosen', async () => {
    const dir = await folderWith({
      'standalone.yaml': statefulSet('sessions', '      - name: redis\n        image: redis:7.0.15-alpine\n        args: ["--appendonly", "yes"]\n', 1),
      'db.yaml': statefulSet('db', '      - name: postgres\n        image: postgres:16\n', 1),
    }, RENAMED);
    expect((await resolve(dir)).redis.statefulSet.name).toBe('cache');
  });

  it('cluster-enabled on the command line: command and args, args alone (the image runs redis-server), or in a sh -c script', async () => {
    const variants = {
      args: '      - name: server\n        image: redis:7.0.15-alpine\n        command: ["redis-server"]\n        args: ["--cluster-enabled", "yes", "--port", "7000", "--cluster-node-timeout", "5000"]\n        ports: [{name: a, containerPort: 6379}, {name: b, containerPort: 7000}]\n',
      argsOnly: '      - name: server\n        image: docker.io/library/redis:7.0.15\n        args: ["--cluster-enabled", "yes", "--port", "7000", "--cluster-node-timeout", "5000"]\n',
      shell: '      - name: server\n        image: redis:7.0.15-alpine\n        command: ["sh", "-c", "exec redis-server --cluster-enabled yes --port 7000 --cluster-node-timeout 5000"]\n',
    };
    for (const [label, container] of Object.entries(variants)) {
      const dir = await folderWith({ 'kv.yaml': statefulSet('kv', container), 'standalone.yaml': statefulSet('plain', '      - name: redis\n        image: redis:7.0.15-alpine\n', 1) });
      const { redis } = await resolve(dir);
      expect([redis.statefulSet.name, redis.container.name], label).toEqual(['kv', 'server']);
      // The shell's line is not parsed for settings; redis-server's own argv is, and wins over redis.conf.
      if (label !== 'shell') expect([redis.clientPort, redis.busPort, redis.nodeTimeoutMs], label).toEqual([7000, 17000, 5000]);
    }
  });

  it('several StatefulSets and none clearly Redis Cluster: one line asking for --statefulset', async () => {
    const dir = await folderWith({
      'a.yaml': statefulSet('a', '      - name: redis\n        image: redis:7.0.15-alpine\n', 1),
      'b.yaml': statefulSet('b', '      - name: postgres\n        image: postgres:16\n', 1),
    });
    expect(await failure(dir)).toMatch(/: none of the 2 StatefulSets \(a, b\) runs redis-server with cluster-enabled yes: choose the Redis one with --statefulset NAME$/);
    expect((await resolve(dir, { statefulSet: 'a' }).catch((e: Error) => e.message))).toMatch(/spec\.replicas is 1/);
  });

  it('a sidecar beside Redis: the container that runs redis-server is the Redis one', async () => {
    const text = (await readFile(path.join(RENAMED, 'cache/cache.yaml'), 'utf8')).replace('      containers:\n', '      containers:\n      - name: exporter\n        image: oliver006/redis_exporter:v1.62.0\n        ports: [{name: metrics, containerPort: 9121}]\n');
    const { redis } = await resolve(await folderWith({ 'cache/cache.yaml': text }, RENAMED));
    expect([redis.container.name, redis.clientPort]).toEqual(['server', 6379]);
  });
});

describe('the client port', () => {
  const port = async (ports: string, conf = '') => {
    const text = (await readFile(path.join(RENAMED, 'cache/cache.yaml'), 'utf8'))
      .replace(/ {8}ports:\n(?: {8}- containerPort: \d+\n {10}name: \w+\n)+/, `        ports:\n${ports}`)
      .replace('    cluster-enabled yes\n', `    cluster-enabled yes\n${conf}`);
    const { redis } = await resolve(await folderWith({ 'cache/cache.yaml': text }, RENAMED));
    return [redis.clientPort, redis.busPort];
  };

  it('redis.conf `port` first (where Redis listens), then a port named for Redis, then 6379, then the first; the bus from cluster-port or +10000', async () => {
    expect(await port('        - {name: metrics, containerPort: 9121}\n        - {name: tcp-redis, containerPort: 6380}\n', '    port 7001\n    cluster-port 7101\n')).toEqual([7001, 7101]);
    expect(await port('        - {name: metrics, containerPort: 9121}\n        - {name: tcp-redis, containerPort: 6380}\n')).toEqual([6380, 16380]);
    expect(await port('        - {name: metrics, containerPort: 9121}\n        - {name: redis, containerPort: 6381}\n')).toEqual([6381, 16381]);
    expect(await port('        - {name: metrics, containerPort: 9121}\n        - {name: x, containerPort: 6379}\n')).toEqual([6379, 16379]);
    expect(await port('        - {name: first, containerPort: 7000}\n        - {name: second, containerPort: 7001}\n')).toEqual([7000, 17000]);
  });
});

describe('the app', () => {
  const deployment = (name: string, image: string, env = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: 1
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: main
        image: ${image}
${env}`;

  it('the hit counter among other Deployments; else the one whose env names a Redis Service; else one line saying why', async () => {
    const others = { 'web/admin.yaml': deployment('admin', 'nginx:1.27'), 'web/worker.yaml': deployment('worker', 'busybox:1.36') };
    expect((await resolve(await folderWith(others, RENAMED))).app?.deployment.name).toBe('counter');

    const withoutCounter = await folderWith({ ...others, 'web/counter.yml': deployment('api', 'example/api:1', '        env: [{name: CACHE_URL, value: "redis://default@cache-0.cache-peers:6379/0"}]\n') }, RENAMED);
    expect((await resolve(withoutCounter)).app?.deployment.name).toBe('api');

    const none = await folderWith({ ...others, 'web/counter.yml': deployment('api', 'example/api:1') }, RENAMED);
    const system = await resolve(none);
    expect(system.app).toBeUndefined();
    expect(() => requireApp(system)).toThrow(/: 3 Deployments \(admin, api, worker\), none runs redis-chaos\/hit-counter and none names a Redis Service \(cache-peers, cache\) in its env: the harness cannot tell which is the app$/);
  });
});

describe('a folder in any layout', () => {
  it('nested folders, any file names, several documents a file, .yml; other files, hidden folders and empty documents ignored', async () => {
    const dir = await folderWith({
      'README.md': '# not a manifest\n',
      'deploy/prod/notes.txt': 'kind: StatefulSet\n',
      '.github/workflows/ci.yml': 'on: push\njobs: {}\n',
      'deploy/prod/everything.yml': `---\n---\n${await readFile(path.join(RENAMED, 'web/counter.yml'), 'utf8')}\n---\n`,
    }, RENAMED);
    await rm(path.join(dir, 'web'), { recursive: true });
    const set = await loadManifests(dir);
    expect(set.documents.map((d) => `${path.relative(dir, path.resolve(d.source.file))}#${d.source.documentIndex}`)).toEqual([
      'cache/cache.yaml#0', 'cache/cache.yaml#1', 'cache/services.yaml#0', 'cache/services.yaml#1', 'deploy/prod/everything.yml#1', 'deploy/prod/everything.yml#2',
    ]);
    expect(resolveSystem(set).app?.deployment.name).toBe('counter');
  });

  it('a kustomization below the top, not at it: one line naming it and the --manifests to render it', async () => {
    const dir = await folderWith({ 'overlay/kustomization.yaml': 'resources: [../base]\n' });
    await cp(RENAMED, path.join(dir, 'base'), { recursive: true });
    expect(await failure(dir)).toBe(`${dir}: no kustomization at the top, but one below it (${dir}/overlay/kustomization.yaml): choose the one to render with --manifests ${dir}/overlay`);
  });
});
