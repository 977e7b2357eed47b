import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../errors.ts';
import { loadManifests, resolveSystem } from './index.ts';

const repoManifests = path.resolve(import.meta.dirname, '../../manifests');

async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'manifests-test-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  return dir;
}

async function seedFiles(): Promise<Record<string, string>> {
  const read = (f: string) => readFile(path.join(repoManifests, 'redis-cluster', f), 'utf8');
  return { 'configmap.yaml': await read('configmap.yaml'), 'statefulset.yaml': await read('statefulset.yaml'), 'service.yaml': await read('service.yaml') };
}

async function resolveError(files: Record<string, string>): Promise<ManifestError> {
  const error = await loadManifests(await folderWith(files)).then(resolveSystem).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManifestError);
  expect((error as ManifestError).exitCode).toBe(2);
  return error as ManifestError;
}

describe('the repository manifests', () => {
  it('parse into the seed StatefulSet, ConfigMap, Service and the hit counter', async () => {
    const system = resolveSystem(await loadManifests(repoManifests));
    const { statefulSet, container, service, clientPort, busPort, nodeTimeoutMs, configFile } = system.redis;
    expect(statefulSet.replicas).toBe(6);
    expect(statefulSet.podManagementPolicy).toBe('OrderedReady');
    expect(container.image).toBe('redis:7.0.15-alpine');
    expect(container.command).toEqual(['/conf/update-node.sh', 'redis-server', '/conf/redis.conf']);
    expect(container.env).toEqual([{ name: 'POD_IP', fieldRef: 'status.podIP' }]);
    expect(container.ports.map((p) => [p.name, p.containerPort])).toEqual([['client', 6379], ['gossip', 16379]]);
    expect(container.volumeMounts.map((m) => m.mountPath)).toEqual(['/conf', '/data']);
    // YAML 1.1, as Kubernetes reads it: 0755 is octal.
    expect(statefulSet.template.volumes).toEqual([{ name: 'conf', kind: 'configMap', configMap: 'redis-cluster', defaultMode: 0o755 }]);
    expect(statefulSet.volumeClaimTemplates).toEqual([{ name: 'data', storage: '1Gi', accessModes: ['ReadWriteOnce'], storageClassName: undefined }]);
    expect(statefulSet.template.terminationGracePeriodSeconds).toBe(30);
    expect(statefulSet.template.restartPolicy).toBe('Always');
    expect(service?.ports.map((p) => p.port)).toEqual([6379, 16379]);
    expect([clientPort, busPort, nodeTimeoutMs]).toEqual([6379, 16379, 15000]);
    expect(configFile).toEqual({ path: '/conf/redis.conf', configMap: 'redis-cluster', key: 'redis.conf' });
    expect(system.configMaps.get('redis-cluster')?.data['update-node.sh']).toContain('exec "$@"');
    expect(system.app?.deployment.name).toBe('hit-counter-app');
    expect(system.app?.service?.ports).toEqual([{ name: 'http', port: 80, targetPort: 5000 }]);
  });

  it('keep the raw documents for server-side apply', async () => {
    const set = await loadManifests(repoManifests);
    expect(set.documents.map((d) => d.object.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Service', 'Service', 'StatefulSet']);
  });
});

describe('invalid manifests exit 2 naming the file and document', () => {
  it('broken YAML', async () => {
    const files = await seedFiles();
    files['service.yaml'] = `${files['service.yaml']}\n---\nkind: Service\nmetadata: {name: x\n`;
    const error = await resolveError(files);
    expect(error.message).toMatch(/service\.yaml \(document 1\): invalid YAML/);
  });

  it('no StatefulSet', async () => {
    const files = await seedFiles();
    delete files['statefulset.yaml'];
    expect((await resolveError(files)).message).toMatch(/no StatefulSet found/);
  });

  it('a ConfigMap referenced but missing', async () => {
    const files = await seedFiles();
    delete files['configmap.yaml'];
    expect((await resolveError(files)).message).toMatch(/statefulset\.yaml \(document 0\): volume "conf" references ConfigMap "redis-cluster", which is not in the manifests/);
  });

  it('a port name missing', async () => {
    const files = await seedFiles();
    files['statefulset.yaml'] = files['statefulset.yaml']!.replace('          name: gossip\n', '');
    expect((await resolveError(files)).message).toMatch(/statefulset\.yaml \(document 0\): container "redis" port 1 \(16379\) has no name/);
  });

  it('a replica count that shards of 1 master + its replicas do not divide, with the arithmetic', async () => {
    const files = await seedFiles();
    files['statefulset.yaml'] = files['statefulset.yaml']!.replace('replicas: 6', 'replicas: 5');
    expect((await resolveError(files)).message).toMatch(/statefulset\.yaml \(document 0\): spec\.replicas is 5: shards of 1 master \+ 1 replica \(the default; set annotation redis-chaos\/replicas-per-master or --replicas-per-master\) do not divide it \(5 = 2 × 2 \+ 1\)$/);
  });

  it('a field of the wrong type, with its path', async () => {
    const files = await seedFiles();
    files['statefulset.yaml'] = files['statefulset.yaml']!.replace('replicas: 6', 'replicas: six');
    expect((await resolveError(files)).message).toMatch(/statefulset\.yaml \(document 0\): spec\.replicas: expected an integer/);
  });

  it('a folder that does not exist', async () => {
    await expect(loadManifests('/nonexistent/manifests')).rejects.toThrow(/\/nonexistent\/manifests: not a directory/);
  });
});
