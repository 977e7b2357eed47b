import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';

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
    applied.push(await api.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
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
