import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CoreV1Api, CoreV1Event } from '@kubernetes/client-node';

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
  const events = await core.listNamespacedEvent({ namespace }).catch(() => ({ items: [] as CoreV1Event[] }));
  await writeFile(path.join(out, 'events.txt'), eventLines(events.items));
}

/**
 * One line per event, in time order, every time in one format (ISO 8601 with milliseconds, UTC).
 * client-node gives a Date for lastTimestamp and eventTime, which String() printed in the local
 * long form, next to events with only a creation time; and the API lists events in no time order.
 */
export function eventLines(events: CoreV1Event[]): string {
  const at = (e: CoreV1Event) => {
    const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
    const d = t instanceof Date ? t : t ? new Date(String(t)) : null;
    return d && !Number.isNaN(d.getTime()) ? d : null;
  };
  return events
    .map((e) => ({ e, t: at(e) }))
    .sort((a, b) => (a.t?.getTime() ?? 0) - (b.t?.getTime() ?? 0))
    .map(({ e, t }) => `${t ? t.toISOString() : 'unknown-time'} ${e.involvedObject?.kind}/${e.involvedObject?.name} ${e.type} ${e.reason}: ${e.message}${(e.count ?? 1) > 1 ? ` (×${e.count})` : ''}`)
    .join('\n') + (events.length ? '\n' : '');
}
