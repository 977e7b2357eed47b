import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CoreV1Api } from '@kubernetes/client-node';

/**
 * Before the namespace goes: every container's log (and its previous container's, after a
 * restart) and the namespace's events, into <run>/platform/kubernetes/ for the report.
 */
export async function collectArtifacts(core: CoreV1Api, namespace: string, dir: string): Promise<void> {
  const out = path.join(dir, 'kubernetes');
  await mkdir(out, { recursive: true });
  const pods = (await core.listNamespacedPod({ namespace })).items;
  for (const p of pods) {
    const name = p.metadata?.name ?? '';
    for (const c of p.spec?.containers ?? []) {
      const current = await core.readNamespacedPodLog({ name, namespace, container: c.name }).catch(() => '');
      const previous = await core.readNamespacedPodLog({ name, namespace, container: c.name, previous: true }).catch(() => '');
      await writeFile(path.join(out, `${name}.${c.name}.log`), `${previous ? `--- previous container ---\n${String(previous)}\n--- current container ---\n` : ''}${String(current)}`);
    }
  }
  const events = await core.listNamespacedEvent({ namespace }).catch(() => ({ items: [] }));
  await writeFile(path.join(out, 'events.txt'), events.items.map((e) => `${String(e.lastTimestamp ?? e.eventTime ?? '')} ${e.involvedObject?.kind}/${e.involvedObject?.name} ${e.type} ${e.reason}: ${e.message}`).join('\n'));
}
