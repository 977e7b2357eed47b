import { describe, expect, it } from 'vitest';
import { translatePaths } from './translate.ts';

const mounts = [
  { mountPath: '/conf', hostPath: '/run/p0/volumes/conf' },
  { mountPath: '/data', hostPath: '/run/pvc/data-p0' },
];

describe('mount path translation', () => {
  it('rewrites argv paths under a mount', () => {
    expect(translatePaths('/conf/update-node.sh', mounts)).toBe('/run/p0/volumes/conf/update-node.sh');
    expect(translatePaths('/data', mounts)).toBe('/run/pvc/data-p0');
  });

  it('rewrites paths inside ConfigMap text, including a shell variable assignment', () => {
    const script = 'REDIS_NODES="/data/nodes.conf"\nsed -i -e "/myself/ s/x/y/" ${REDIS_NODES}';
    expect(translatePaths(script, mounts)).toBe('REDIS_NODES="/run/pvc/data-p0/nodes.conf"\nsed -i -e "/myself/ s/x/y/" ${REDIS_NODES}');
    expect(translatePaths('cluster-config-file /data/nodes.conf', mounts)).toBe('cluster-config-file /run/pvc/data-p0/nodes.conf');
  });

  it('leaves paths that only share a prefix, or sit deeper, alone', () => {
    expect(translatePaths('/database /var/data /conf.d /data2', mounts)).toBe('/database /var/data /conf.d /data2');
  });

  it('prefers the longest mount', () => {
    const nested = [...mounts, { mountPath: '/data/logs', hostPath: '/run/logs' }];
    expect(translatePaths('/data/logs/x /data/y', nested)).toBe('/run/logs/x /run/pvc/data-p0/y');
  });
});
