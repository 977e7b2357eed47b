import { randomUUID } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
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
 *
 * Synchronous on purpose: a few small files, written before each pod starts, while the CLI's main
 * thread is busy serving vitest's worker. Awaited, each open, write, close and rename waited its
 * turn there: 10-80 ms per pod (measured), on the path of OrderedReady's one-by-one start.
 */
export function writeHostsFile(runDir: RunDir, system: SystemUnderTest, pods: LocalPod[]): void {
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
  atomicWrite(runDir.hostsFile, shared);
  for (const p of pods) atomicWrite(path.join(runDir.dnsDir, runDir.podHostsFile(p.name)), p.ip ? `${shared}${p.ip}\t${p.name}\n` : shared);
}

function atomicWrite(file: string, text: string): void {
  // A unique temporary name, so that no two writers ever share one.
  const tmp = `${file}.${randomUUID()}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
