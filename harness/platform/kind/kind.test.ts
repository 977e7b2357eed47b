// Tests of the kind platform at its seams: this machine has no kind and no Docker engine, so the
// command lines are asserted as built, and fake `kind`/`docker`/`kubectl` scripts on PATH record
// what would have run. Nothing here pretends a kind cluster came up.
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PrerequisiteError } from '../../errors.ts';
import { loadManifests, resolveSystem, type SystemUnderTest } from '../../manifests/index.ts';
import { REPO_MANIFESTS } from '../../testing/local-cluster.ts';
import { APP_IMAGE, clusterName, contextName, docker, kind, kubectl } from './commands.ts';
import { KindPlatform } from './kind-platform.ts';
import { checkKindPrerequisites } from './prerequisites.ts';
import { runsRoot } from '../local/run-dir.ts';
import { deadKindClusters } from './sweeper.ts';
import { nodesNeeded } from '../nodes-needed.ts';
import { kindConfig } from './kind-config.ts';

const RUN = '20261201-000000-abcd';

describe('kind command lines', () => {
  it('create a per-run cluster from the run\'s own config, into the run\'s own kubeconfig', () => {
    expect(kind.create(RUN, '/tmp/kc', '/tmp/kind.yaml')).toEqual({
      file: 'kind', args: ['create', 'cluster', '--name', `redis-chaos-${RUN}`, '--config', '/tmp/kind.yaml', '--kubeconfig', '/tmp/kc', '--wait', '180s'],
    });
    expect(kind.delete(clusterName(RUN))).toEqual({ file: 'kind', args: ['delete', 'cluster', '--name', `redis-chaos-${RUN}`] });
    expect(kind.load(RUN)).toEqual({ file: 'kind', args: ['load', 'docker-image', 'redis-chaos/hit-counter:dev', '--name', `redis-chaos-${RUN}`] });
    expect(contextName(RUN)).toBe(`kind-redis-chaos-${RUN}`);
  });

  it('build the app image from the repository root and check the tools', () => {
    expect(docker.build()).toEqual({ file: 'docker', args: ['build', '-f', 'app/hit-counter/Dockerfile', '-t', APP_IMAGE, '.'] });
    expect(docker.info()).toEqual({ file: 'docker', args: ['info', '--format', '{{.ServerVersion}}'] });
    expect(kubectl.version()).toEqual({ file: 'kubectl', args: ['version', '--client', '--output=json'] });
    expect(docker.stop('redis-chaos-worker2')).toEqual({ file: 'docker', args: ['stop', 'redis-chaos-worker2'] });
  });

});

async function fakeBin(scripts: Record<string, string>): Promise<{ dir: string; log: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fake-bin-'));
  const log = path.join(dir, 'calls.log');
  for (const [name, body] of Object.entries(scripts)) {
    await writeFile(path.join(dir, name), `#!/bin/sh\necho "${name} $*" >> ${log}\n${body}\n`);
    await chmod(path.join(dir, name), 0o755);
  }
  return { dir, log };
}

describe('kind prerequisites', () => {
  it('name every missing tool in one line, within 10 s, with PATH stripped', async () => {
    const started = Date.now();
    const error = await checkKindPrerequisites({ PATH: '/nonexistent' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect((error as Error).message).toMatch(/^the kind platform needs docker \(not found on PATH\), kind \(not found on PATH\), kubectl \(not found on PATH\): install Docker/);
    expect((error as Error).message).not.toContain('\n');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('report a Docker client without an engine', async () => {
    const { dir } = await fakeBin({ docker: 'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock" >&2; exit 1', kind: 'exit 0', kubectl: 'exit 0' });
    await expect(checkKindPrerequisites({ PATH: `${dir}:/usr/bin:/bin` })).rejects.toThrow(/needs docker \(Cannot connect to the Docker daemon/);
  });

  it('time out a hanging tool instead of waiting for it', async () => {
    const { dir } = await fakeBin({ docker: 'sleep 30', kind: 'exit 0', kubectl: 'exit 0' });
    const started = Date.now();
    await expect(checkKindPrerequisites({ PATH: `${dir}:/usr/bin:/bin` }, 500)).rejects.toThrow(/docker \(timed out\)/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('KindPlatform.up', () => {
  let system: SystemUnderTest;
  const savedPath = process.env.PATH;
  const savedRuns = process.env.REDIS_CHAOS_RUNS_DIR;
  beforeAll(async () => {
    system = resolveSystem(await loadManifests(REPO_MANIFESTS));
    // The fake runs' folders (one kept by --keep on purpose) go in the test's own temporary folder,
    // not among real runs, where the sweeper would find them.
    process.env.REDIS_CHAOS_RUNS_DIR = await mkdtemp(path.join(os.tmpdir(), 'kind-runs-'));
  });
  afterEach(() => {
    process.env.PATH = savedPath;
  });
  afterAll(() => {
    if (savedRuns === undefined) delete process.env.REDIS_CHAOS_RUNS_DIR;
    else process.env.REDIS_CHAOS_RUNS_DIR = savedRuns;
  });

  it('deletes the cluster it created when a later step fails', async () => {
    const { dir, log } = await fakeBin({ docker: '[ "$1" = build ] && { echo "build failed: no space left" >&2; exit 1; }; exit 0', kind: 'exit 0', kubectl: 'exit 0' });
    process.env.PATH = `${dir}:/usr/bin:/bin`;
    const error = await new KindPlatform({ system, runId: RUN, keep: false, nodeTimeoutOverrideMs: null }).up().then(() => new Error("up() succeeded"), (e: unknown) => e as Error);
    expect(error.message).toMatch(/^docker build -f app\/hit-counter\/Dockerfile -t redis-chaos\/hit-counter:dev \. failed \(exit 1\): build failed: no space left/);
    const calls = (await readFile(log, 'utf8')).trim().split('\n').filter((l) => !/version|info/.test(l));
    expect(calls).toEqual([
      `kind create cluster --name redis-chaos-${RUN} --config ${path.join(runsRoot(), RUN, 'kind-config.yaml')} --kubeconfig ${path.join(runsRoot(), RUN, 'kubeconfig')} --wait 180s`,
      'docker build -f app/hit-counter/Dockerfile -t redis-chaos/hit-counter:dev .',
      `kind delete cluster --name redis-chaos-${RUN}`,
    ]);
  });

  it('keeps the cluster with --keep, even on failure, for a person to inspect', async () => {
    const { dir, log } = await fakeBin({ docker: '[ "$1" = build ] && exit 1; exit 0', kind: 'exit 0', kubectl: 'exit 0' });
    process.env.PATH = `${dir}:/usr/bin:/bin`;
    await new KindPlatform({ system, runId: RUN, keep: true, nodeTimeoutOverrideMs: null }).up().catch(() => undefined);
    expect(await readFile(log, 'utf8')).not.toMatch(/kind delete/);
  });
});

describe('the kind sweeper', () => {
  it('selects only redis-chaos clusters whose run is not alive', () => {
    const live = new Set(['20261201-010101-aaaa']);
    expect(deadKindClusters(['kind', 'redis-chaos-20261201-010101-aaaa', 'redis-chaos-20261130-235959-bbbb', 'redis-chaos-prod', 'team-redis-chaos-20261130-235959-cccc'], live))
      .toEqual(['redis-chaos-20261130-235959-bbbb']);
  });
});

describe('the kind config', () => {
  it('maps no host port, so that two clusters (the gate\'s two sides) can run at once', async () => {
    const { parse } = await import('yaml');
    const config = parse(kindConfig(4)) as { kind: string; nodes: { role: string; extraPortMappings?: unknown[] }[] };
    expect(config.kind).toBe('Cluster');
    expect(config.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker', 'worker', 'worker', 'worker']);
    expect(config.nodes.flatMap((n) => n.extraPortMappings ?? [])).toEqual([]);
  });

  it('has as many workers as the shape and the manifests\' own scheduling rules need', async () => {
    const seed = resolveSystem(await loadManifests(REPO_MANIFESTS));
    expect(nodesNeeded(seed)).toEqual({ count: 3, why: 'the default' });
    expect(nodesNeeded(resolveSystem(await loadManifests(path.join(REPO_MANIFESTS, '../examples/shape-3x2')))).count).toBe(3);
    expect(nodesNeeded(resolveSystem(await loadManifests(path.join(REPO_MANIFESTS, '../examples/hardened')))).count).toBe(3); // preferred anti-affinity
    // 3 × 3: four pods a shard, so a node's loss takes at most one of them.
    const threeByThree = { ...seed, shape: { masters: 3, replicasPerMaster: 3 }, redis: { ...seed.redis, statefulSet: { ...seed.redis.statefulSet, replicas: 12 } } };
    expect(nodesNeeded(threeByThree)).toEqual({ count: 4, why: 'one node per pod of a shard (1 master + 3 replicas)' });
    // Required anti-affinity on the hostname among the Redis pods: one node each, or pods stay Pending.
    const required = (app: string) => {
      const template = structuredClone(seed.redis.statefulSet.template);
      template.scheduling.podAntiAffinity.required = [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app }, matchExpressions: [] } }];
      return { ...seed, redis: { ...seed.redis, statefulSet: { ...seed.redis.statefulSet, template } } };
    };
    expect(seed.redis.statefulSet.template.labels.app).toBe('redis-cluster');
    expect(nodesNeeded(required('redis-cluster'))).toEqual({ count: 6, why: 'redis-cluster requires pod anti-affinity on kubernetes.io/hostname: one node per pod' });
    expect(nodesNeeded(required('someone-else')).count).toBe(3);
  });
});
