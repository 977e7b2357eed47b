import { randomUUID } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import type { SystemUnderTest } from '../../manifests/index.ts';
import type { LocalPod } from './pod.ts';

/**
 * What the cluster DNS would answer, written where dns-shim.ts reads it: the Service name (and the
 * StatefulSet's governing service) → every pod with an IP, and each pod's stable name → its IP.
 */
export async function writeHostsFile(file: string, system: SystemUnderTest, pods: LocalPod[]): Promise<void> {
  const { redis } = system;
  const ips = pods.flatMap((p) => (p.ip ? [p.ip] : []));
  const hosts: Record<string, string[]> = {};
  for (const name of new Set([redis.statefulSet.serviceName, redis.service?.name].filter((n): n is string => !!n))) hosts[name] = ips;
  for (const p of pods) if (p.ip) hosts[`${p.name}.${redis.statefulSet.serviceName}`] = [p.ip];
  // A unique temporary name: deletes of two pods at once write concurrently; rename is atomic.
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, JSON.stringify(hosts));
  await rename(tmp, file);
}
