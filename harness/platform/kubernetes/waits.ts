import { Watch, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { HarnessError } from '../../errors.ts';
import { sleep } from '../../util/wait.ts';

interface Watched {
  metadata?: { name?: string; resourceVersion?: string };
}

/**
 * Waits on a watch until `done(object)` holds, re-listing and re-watching whenever the server ends
 * the watch (its timeoutSeconds passed, a proxy cut it), until the deadline. A watch that times out
 * is normal operation, not a failure.
 */
export async function watchUntil<T extends Watched>(
  kc: KubeConfig,
  what: string,
  list: () => Promise<{ items: T[]; resourceVersion?: string }>,
  path: string,
  query: Record<string, string>,
  done: (items: T[]) => boolean,
  { timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal },
): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  const watch = new Watch(kc);
  let pauseMs = 0;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    // A watch the server refuses at once (403, 410 Gone) would otherwise re-list back to back.
    if (pauseMs > 0) await sleep(Math.max(0, Math.min(pauseMs, deadline - Date.now())), signal);
    const watchStarted = Date.now();
    const listed = await list();
    const items = new Map(listed.items.map((i) => [i.metadata?.name ?? '', i]));
    if (done([...items.values()])) return [...items.values()];
    const remaining = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
    const satisfied = await new Promise<boolean>((resolve) => {
      let settled = false;
      const finish = (ok: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        // The run's signal outlives this watch: a listener left on it for each watch passed Node's
        // limit of 10 in a Kubernetes run (MaxListenersExceededWarning), each holding its items.
        signal?.removeEventListener('abort', onAbort);
        controller?.abort();
        resolve(ok);
      };
      const onAbort = () => finish(false);
      let controller: AbortController | undefined;
      const timer = setTimeout(() => finish(false), remaining * 1000 + 2000);
      signal?.addEventListener('abort', onAbort, { once: true });
      watch
        .watch(path, { ...query, timeoutSeconds: String(Math.min(remaining, 60)), ...(listed.resourceVersion ? { resourceVersion: listed.resourceVersion } : {}) },
          (type: string, object: T) => {
            if (type === 'DELETED') items.delete(object.metadata?.name ?? '');
            else if (type === 'ADDED' || type === 'MODIFIED') items.set(object.metadata?.name ?? '', object);
            if (done([...items.values()])) finish(true);
          },
          () => finish(false))
        .then((c) => {
          controller = c;
          if (settled) c.abort();
        }, () => finish(false));
    });
    if (satisfied) return [...items.values()];
    pauseMs = Date.now() - watchStarted < WATCH_MIN_MS ? Math.min(Math.max(pauseMs * 2, 250), 5000) : 0;
  }
  throw new HarnessError(`${what}: not reached within ${timeoutMs} ms`);
}

/** A watch that ends sooner than this is taken for a refused one: the next list waits, doubling from 250 ms to 5 s. */
export const WATCH_MIN_MS = 1000;

/** What a person needs when pods never got ready: their state, their events and their last log lines. */
export async function diagnosePods(core: CoreV1Api, namespace: string, labelSelector: string): Promise<string> {
  const pods = (await core.listNamespacedPod({ namespace, labelSelector }).catch(() => ({ items: [] as V1Pod[] }))).items;
  const notReady = pods.filter((p) => !p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  const parts = await Promise.all(notReady.map(async (p) => {
    const name = p.metadata?.name ?? '?';
    const waiting = p.status?.containerStatuses?.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason).filter(Boolean).join(',');
    const events = (await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` }).catch(() => ({ items: [] }))).items
      .slice(-3).map((e) => `${e.reason}: ${e.message}`).join(' | ');
    const log = await core.readNamespacedPodLog({ name, namespace, tailLines: 3 }).catch(() => '');
    return `${name} ${p.status?.phase ?? 'Unknown'}${waiting ? ` (${waiting})` : ''}${events ? `; events: ${events}` : ''}${log ? `; log: ${String(log).trim().replace(/\n/g, ' / ')}` : ''}`;
  }));
  return parts.length ? `not ready: ${parts.join('; ')}` : `no pods match ${labelSelector}`;
}
