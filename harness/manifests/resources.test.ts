// A container's resources.limits and .requests: read into bytes and millicores; a quantity
// Kubernetes would reject is a ManifestError naming the file, document and path, and on the
// command line one line and exit 2.
import { execa } from 'execa';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../errors.ts';
import { manifestsWith } from '../testing/run-cli.ts';
import { loadManifests, resolveSystem } from './index.ts';
import { scenariosArgv } from '../cli/entry.ts';

const withResources = (resources: string) => manifestsWith({
  'redis-cluster/statefulset.yaml': (t) => t.replace('        volumeMounts:\n', `        resources:\n${resources}        volumeMounts:\n`),
});

describe('container resources', () => {
  it('limits in bytes and millicores; an unset request defaults to the limit', async () => {
    const dir = await withResources('          limits:\n            memory: 64Mi\n            cpu: 500m\n          requests:\n            cpu: "0.1"\n');
    const { container } = resolveSystem(await loadManifests(dir)).redis;
    expect(container.resources).toEqual({ limits: { memoryBytes: 64 * 2 ** 20, cpuMillis: 500 }, requests: { memoryBytes: 64 * 2 ** 20, cpuMillis: 100 } });
  });

  it('none set: no resources, as the repository manifests have', async () => {
    const dir = await manifestsWith({ 'redis-cluster/statefulset.yaml': (t) => `${t}\n` });
    expect(resolveSystem(await loadManifests(dir)).redis.container.resources).toBeUndefined();
  });

  it('a bad quantity names the file, document and path', async () => {
    const dir = await withResources('          limits:\n            memory: 64MB\n');
    const error = await loadManifests(dir).then(resolveSystem).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as Error).message).toMatch(/statefulset\.yaml \(document 0\): spec\.template\.spec\.containers\[0\]\.resources\.limits\.memory: "64MB" is not a quantity/);
  });

  it('a request above its limit is refused, as the API server refuses it', async () => {
    const dir = await withResources('          limits:\n            memory: 64Mi\n          requests:\n            memory: 1Gi\n');
    await expect(loadManifests(dir).then(resolveSystem)).rejects.toThrow(/resources\.requests\.memory: must be less than or equal to the memory limit/);
  });

  it('on the command line: one line, exit 2, no stack trace', async () => {
    const dir = await withResources('          limits:\n            cpu: lots\n');
    const r = await execa(process.execPath, scenariosArgv(['--manifests', dir]), { reject: false, timeout: 30_000, env: { CI: '' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^redis-chaos: .*statefulset\.yaml \(document 0\): spec\.template\.spec\.containers\[0\]\.resources\.limits\.cpu: "lots" is not a quantity/);
  });
});
