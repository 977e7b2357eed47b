import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { HarnessError } from '../../errors.ts';

export const FIELD_MANAGER = 'redis-chaos';

/**
 * Server-Side Apply, as `kubectl apply --server-side --force-conflicts --field-manager=redis-chaos`:
 * the same documents the local platform reads, put into the run's namespace.
 */
export async function applyDocuments(api: KubernetesObjectApi, documents: Record<string, unknown>[], namespace: string): Promise<KubernetesObject[]> {
  const applied: KubernetesObject[] = [];
  for (const doc of documents) {
    const object = structuredClone(doc) as KubernetesObject;
    object.metadata = { ...object.metadata, namespace };
    // force: the harness owns these objects in its own namespace; a conflict means a stale field manager.
    try {
      applied.push(await api.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
    } catch (error) {
      throw new HarnessError(`apply ${object.kind}/${object.metadata?.name}: ${apiErrorText(error)}`, { cause: error });
    }
  }
  return applied;
}

/** The manifests' cluster-node-timeout replaced in the ConfigMap's redis.conf, for --node-timeout. */
export function withNodeTimeout(documents: Record<string, unknown>[], configMap: string, key: string, ms: number | null): Record<string, unknown>[] {
  if (ms === null) return documents;
  return documents.map((doc) => {
    const meta = doc.metadata as { name?: string } | undefined;
    if (doc.kind !== 'ConfigMap' || meta?.name !== configMap) return doc;
    const data = { ...(doc.data as Record<string, string>) };
    const text = data[key] ?? '';
    data[key] = /^cluster-node-timeout\s+\d+/m.test(text) ? text.replace(/^cluster-node-timeout\s+\d+/m, `cluster-node-timeout ${ms}`) : `${text}cluster-node-timeout ${ms}\n`;
    return { ...doc, data };
  });
}

/** "409 Conflict: <the Status message>" from a client-node ApiException, else the error's message. */
export function apiErrorText(error: unknown): string {
  const e = error as { code?: number; body?: unknown; message?: string };
  if (typeof e.code === 'number') {
    let body: { reason?: string; message?: string } = {};
    try {
      body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as typeof body;
    } catch {
      // not a Status
    }
    return `${e.code} ${body.reason ?? ''}: ${body.message ?? e.message ?? ''}`.replace(/ :/, ':');
  }
  return e.message ?? String(error);
}
