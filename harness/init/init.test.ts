import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { HarnessError } from '../errors.ts';
import { packageSpec, planInit, WORKFLOW_PATH, workflow, writeInit } from './init.ts';

describe('redis-chaos init', () => {
  let tmp = '';
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'init-'));
  });
  afterAll(() => (tmp ? rm(tmp, { recursive: true, force: true }) : undefined));

  it('plans the seed\'s five manifests under --manifests and the workflow; a folder outside the repository is refused', async () => {
    const files = await planInit('deploy/redis/', 'github:someone/redis-chaos#v0.1.0');
    expect(files.map((f) => f.path)).toEqual([
      'deploy/redis/hit-counter/deployment.yaml', 'deploy/redis/hit-counter/service.yaml',
      'deploy/redis/redis-cluster/configmap.yaml', 'deploy/redis/redis-cluster/service.yaml', 'deploy/redis/redis-cluster/statefulset.yaml',
      WORKFLOW_PATH,
    ]);
    for (const bad of ['../elsewhere', '/abs/redis', '']) await expect(planInit(bad, 'x')).rejects.toThrow(HarnessError);
  });

  it('the workflow is valid YAML, triggered by the manifests, and installs exactly the spec (quoted)', () => {
    const wf = YAML.parse(workflow('k8s/redis', "file:it's.tgz")) as { on: { pull_request: { paths: string[] } }; env: Record<string, string> };
    expect(wf.on.pull_request.paths).toEqual(['k8s/redis/**', WORKFLOW_PATH]);
    expect(wf.env).toEqual({ REDIS_CHAOS: "file:it's.tgz", MANIFESTS: 'k8s/redis' });
    expect((YAML.parse(workflow('k8s/redis', '')) as { env: Record<string, string> }).env.REDIS_CHAOS).toBe('');
  });

  it('writes nothing if any file is there, naming the first, in one line', async () => {
    const repo = path.join(tmp, 'has-one');
    await mkdir(path.join(repo, '.github', 'workflows'), { recursive: true });
    await writeFile(path.join(repo, WORKFLOW_PATH), 'mine\n');
    const error = await writeInit(repo, await planInit('k8s/redis-cluster', 'x')).then(() => new Error('wrote'), (e: unknown) => e as Error);
    expect(error).toBeInstanceOf(HarnessError);
    expect(error.message).toBe(`${WORKFLOW_PATH} already exists: init writes into a repository that has none of them, and overwrites nothing`);
    expect(existsSync(path.join(repo, 'k8s'))).toBe(false);
    expect(await readdir(path.join(repo, '.github', 'workflows'))).toEqual(['redis-chaos.yml']);
  });

  it('the workflow installs --package, else what the project\'s package.json installed, else nothing (and says so)', async () => {
    const repo = path.join(tmp, 'specs');
    await mkdir(repo);
    expect(await packageSpec(repo, 'github:o/redis-chaos#v1')).toEqual({ spec: 'github:o/redis-chaos#v1', from: '--package' });
    await expect(packageSpec(repo, ' ')).rejects.toThrow(/^--package: expected/);
    expect(await packageSpec(repo, undefined)).toEqual({ spec: '', from: 'none' });
    const declare = (deps: Record<string, string>) => writeFile(path.join(repo, 'package.json'), JSON.stringify({ name: 'app', devDependencies: deps }));
    await declare({ 'redis-chaos': 'file:vendor/redis-chaos-0.1.0.tgz' });
    expect(await packageSpec(repo, undefined)).toEqual({ spec: 'file:vendor/redis-chaos-0.1.0.tgz', from: 'package.json' });
    await declare({ 'redis-chaos': '^0.1.0' });
    expect((await packageSpec(repo, undefined)).spec).toBe('redis-chaos@^0.1.0');
    await declare({ 'redis-chaos': 'github:o/redis-chaos#main' });
    expect((await packageSpec(repo, undefined)).spec).toBe('github:o/redis-chaos#main');
    await declare({ other: '1.0.0' });
    expect((await packageSpec(repo, undefined)).spec).toBe('');
  });
});
