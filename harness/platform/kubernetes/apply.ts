import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { HarnessError } from '../../errors.ts';
import { withOverrides, type RedisOverride } from '../../manifests/index.ts';

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
/**
 * The run's Redis overrides (node timeout, --redis-config), written into the Redis config file of
 * the ConfigMap: on Kubernetes the container's command line is the manifest's own, so the file is
 * where an override can go for any command shape.
 */
export function withRedisOverrides(documents: Record<string, unknown>[], configMap: string, key: string, overrides: RedisOverride[]): Record<string, unknown>[] {
  if (overrides.length === 0) return documents;
  return documents.map((doc) => {
    const meta = doc.metadata as { name?: string } | undefined;
    if (doc.kind !== 'ConfigMap' || meta?.name !== configMap) return doc;
    const data = { ...(doc.data as Record<string, string>) };
    data[key] = withOverrides(data[key] ?? '', overrides);
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
