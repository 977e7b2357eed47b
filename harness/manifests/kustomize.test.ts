// A manifest folder that is a kustomization: rendered by the real kubectl, read as one stream,
// and every way it can fail is one line naming the kustomization file.
import { execa } from 'execa';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManifestError } from '../errors.ts';
import { loadManifests, resolveSystem } from './index.ts';
import { renderKustomization } from './kustomize.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const KUSTOMIZED = path.join(ROOT, 'examples/kustomized');
const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));
const tmp = async (prefix: string) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};

describe('examples/kustomized, rendered with kubectl kustomize', () => {
  it('is read as kubectl renders it: prefixed names, common labels, the patched env, sources naming the kustomization', async () => {
    const set = await loadManifests(KUSTOMIZED);
    const shown = `${path.relative(process.cwd(), KUSTOMIZED)}/kustomization.yaml (rendered)`;
    expect(new Set(set.documents.map((d) => d.source.file))).toEqual(new Set([shown]));
    expect(set.documents.map((d) => d.source.documentIndex)).toEqual([0, 1, 2, 3, 4]);
    const { redis, app } = resolveSystem(set);
    expect([redis.statefulSet.name, redis.statefulSet.serviceName, redis.service?.name, redis.configFile?.configMap]).toEqual(['shop-redis-cluster', 'shop-redis-cluster', 'shop-redis-cluster', 'shop-redis-cluster']);
    expect(redis.statefulSet.template.labels).toEqual({ app: 'redis-cluster', team: 'shop' });
    expect([app?.deployment.name, app?.service?.name]).toEqual(['shop-hit-counter-app', 'shop-hit-counter-lb']);
    expect(app?.container.env.find((e) => e.name === 'REDIS_NODES')?.value).toBe('shop-redis-cluster:6379');
  });

  it('an error in a rendered object names the kustomization and the document in its output', async () => {
    const dir = await tmp('kustomized-');
    await cp(KUSTOMIZED, dir, { recursive: true });
    await writeFile(path.join(dir, 'replicas.yaml'), 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: redis-cluster}\nspec: {replicas: 5}\n');
    // A second strategic-merge patch (the kustomization's last list): the StatefulSet with 5 replicas.
    await writeFile(path.join(dir, 'kustomization.yaml'), `${await readFile(path.join(KUSTOMIZED, 'kustomization.yaml'), 'utf8')}- replicas.yaml\n`);
    const error = await loadManifests(dir).then(resolveSystem).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as Error).message).toMatch(/kustomization\.yaml \(rendered\) \(document 4\): spec\.replicas is 5: shards of 1 master \+ 1 replica \(.*\) do not divide it \(5 = 2 × 2 \+ 1\)$/);
  });

  it('a kustomization kubectl refuses: one line naming the file, with kubectl\'s reason', async () => {
    const dir = await tmp('kustomized-broken-');
    await writeFile(path.join(dir, 'kustomization.yaml'), 'resources:\n- missing.yaml\n');
    const error = await loadManifests(dir).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/kustomization\.yaml: kubectl kustomize failed: .*missing\.yaml/);
  });

  it('is bounded by its signal: cancelled, it says so in one line', async () => {
    const error = await renderKustomization(KUSTOMIZED, 'examples/kustomized/kustomization.yaml', { signal: AbortSignal.abort() }).then(() => null, (e: unknown) => e);
    expect((error as Error).message).toBe('examples/kustomized/kustomization.yaml: kubectl kustomize was cancelled');
  });
});

describe('without kubectl or kustomize on PATH', () => {
  it('npm run advise exits 2 with one line saying what to install, no stack trace', async () => {
    // A PATH with node and nothing else.
    const bin = await tmp('no-kubectl-');
    await symlink(process.execPath, path.join(bin, 'node'));
    const r = await execa(process.execPath, ['--import', 'tsx', path.join(ROOT, 'harness/advise-cli.ts'), '--manifests', 'examples/kustomized'], {
      // TMPDIR kept: without it, tsx's cache went to /tmp/tsx-<uid> and stayed there after npm test.
      cwd: ROOT, reject: false, timeout: 30_000, env: { PATH: bin, TMPDIR: os.tmpdir(), TSX_DISABLE_CACHE: '1' }, extendEnv: false,
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('redis-chaos advise: examples/kustomized/kustomization.yaml: rendering a kustomization needs kubectl (or kustomize) on PATH; install kubectl');
  });
});
