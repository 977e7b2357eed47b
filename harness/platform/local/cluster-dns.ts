import { randomUUID } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { selects, type SystemUnderTest } from '../../manifests/index.ts';
import type { LocalPod } from './pod.ts';
import type { RunDir } from './run-dir.ts';

/**
 * What cluster DNS would answer, as hosts files in the run's DNS folder: the Service name (and the
 * StatefulSet's governing service) → every Redis pod with an IP, each pod's DNS name
 * `<pod>.<service>` (and its namespace-qualified form) → its IP. Each pod's own file also maps its
 * bare hostname, as the kubelet's /etc/hosts does. A pod's /etc/hosts is a symlink into the
 * folder, so each file is replaced by an atomic rename and no reader ever sees half of one.
 */
export async function writeHostsFile(runDir: RunDir, system: SystemUnderTest, pods: LocalPod[]): Promise<void> {
  const { redis } = system;
  const service = redis.statefulSet.serviceName;
  const redisPods = pods.filter((p) => p.name.startsWith(`${redis.statefulSet.name}-`));
  const lines = ['127.0.0.1\tlocalhost'];
  for (const p of redisPods) if (p.ip) lines.push(`${p.ip}\t${p.name}.${service} ${p.name}.${service}.default.svc.cluster.local`);
  // Every Service that selects the StatefulSet's pods (a ClusterIP one for clients, a headless one for
  // pod names); not one without a selector, which selects nothing (an ExternalName, manual endpoints).
  const selecting = system.manifests.objects.filter((o) => o.kind === 'Service' && selects(o, redis.statefulSet)).map((o) => o.name);
  for (const name of new Set([service, redis.service?.name, ...selecting].filter((n): n is string => !!n))) {
    for (const p of redisPods) if (p.ip) lines.push(`${p.ip}\t${name} ${name}.default.svc.cluster.local`);
  }
  const shared = lines.join('\n') + '\n';
  await atomicWrite(runDir.hostsFile, shared);
  await Promise.all(pods.map((p) => atomicWrite(path.join(runDir.dnsDir, runDir.podHostsFile(p.name)), p.ip ? `${shared}${p.ip}\t${p.name}\n` : shared)));
}

async function atomicWrite(file: string, text: string): Promise<void> {
  // A unique temporary name: deletes of two pods at once write concurrently.
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}
