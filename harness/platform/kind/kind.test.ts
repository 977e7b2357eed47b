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
import { APP_IMAGE, clusterName, contextName, docker, kind, KIND_CONFIG, kubectl } from './commands.ts';
import { KindPlatform } from './kind-platform.ts';
import { checkKindPrerequisites } from './prerequisites.ts';
import { runsRoot } from '../local/run-dir.ts';
import { deadKindClusters } from './sweeper.ts';

const RUN = '20261201-000000-abcd';

describe('kind command lines', () => {
  it('create a per-run cluster from the checked-in config, into the run\'s own kubeconfig', () => {
    expect(kind.create(RUN, '/tmp/kc')).toEqual({
      file: 'kind', args: ['create', 'cluster', '--name', `redis-chaos-${RUN}`, '--config', KIND_CONFIG, '--kubeconfig', '/tmp/kc', '--wait', '180s'],
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
      `kind create cluster --name redis-chaos-${RUN} --config ${KIND_CONFIG} --kubeconfig ${path.join(runsRoot(), RUN, 'kubeconfig')} --wait 180s`,
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
    const config = parse(await readFile(KIND_CONFIG, 'utf8')) as { nodes: { role: string; extraPortMappings?: unknown[] }[] };
    expect(config.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker', 'worker', 'worker']);
    expect(config.nodes.flatMap((n) => n.extraPortMappings ?? [])).toEqual([]);
  });
});
