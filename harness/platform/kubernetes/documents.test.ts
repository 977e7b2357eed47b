// Which documents the Kubernetes platform applies at up() (Redis and everything else) and which at
// deployApp() (the app): by object, whatever the files, so a kustomization's one rendered stream
// and a file holding Redis and the app together split as the seed's folders do.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadManifests, resolveSystem } from '../../manifests/index.ts';
import { documentsFor } from './documents.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const made: string[] = [];
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

const split = async (dir: string) => {
  const system = resolveSystem(await loadManifests(dir));
  const names = (which: 'redis' | 'app') => documentsFor(system, which).map((d) => `${String(d.kind)}/${(d.metadata as { name: string }).name}`);
  return { redis: names('redis'), app: names('app') };
};

describe('the documents applied at up() and at deployApp()', () => {
  it('the seed: Redis\'s ConfigMap, Service and StatefulSet first; the app\'s Deployment and Service after', async () => {
    expect(await split(path.join(ROOT, 'manifests'))).toEqual({
      redis: ['ConfigMap/redis-cluster', 'Service/redis-cluster', 'StatefulSet/redis-cluster'],
      app: ['Deployment/hit-counter-app', 'Service/hit-counter-lb'],
    });
  });

  it('examples/kustomized, one rendered stream: the same split under the prefixed names', async () => {
    expect(await split(path.join(ROOT, 'examples/kustomized'))).toEqual({
      redis: ['ConfigMap/shop-redis-cluster', 'Service/shop-redis-cluster', 'StatefulSet/shop-redis-cluster'],
      app: ['Service/shop-hit-counter-lb', 'Deployment/shop-hit-counter-app'],
    });
  });

  it('examples/renamed in one file, the app first: split by object, not by file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'documents-'));
    made.push(dir);
    const read = (f: string) => readFile(path.join(ROOT, 'examples/renamed', f), 'utf8');
    await writeFile(path.join(dir, 'all.yaml'), [await read('web/counter.yml'), await read('cache/cache.yaml'), await read('cache/services.yaml')].join('\n---\n'));
    expect(await split(dir)).toEqual({
      redis: ['ConfigMap/cache-config', 'StatefulSet/cache', 'Service/cache-peers', 'Service/cache'],
      app: ['Deployment/counter', 'Service/counter-http'],
    });
  });
});
