import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { HarnessError } from '../../errors.ts';
import { withOverrides, type RedisOverride, type SystemUnderTest } from '../../manifests/index.ts';

export const FIELD_MANAGER = 'redis-chaos';

/**
 * Server-Side Apply, as `kubectl apply --server-side --force-conflicts --field-manager=redis-chaos`:
 * the same documents the local platform reads, put into the run's namespace.
 */
export async function applyDocuments(api: KubernetesObjectApi, documents: Record<string, unknown>[], namespace: string): Promise<KubernetesObject[]> {
  const applied: KubernetesObject[] = [];
  for (const doc of documents) {
    const object = withExplicitProtocols(structuredClone(doc)) as KubernetesObject;
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

/**
 * Every port with its `protocol` spelled out (TCP where omitted, its default). Server-side apply
 * before Kubernetes 1.21 rejects a port list whose element omits a key of the list, `protocol`
 * ("associative list with keys has an element that omits key field protocol", fixed in 1.21), so
 * the seed's own manifests could not be applied there. Filling in the default changes nothing the
 * API server would not have set itself: the system under test stays the same.
 */
export function withExplicitProtocols(doc: Record<string, unknown>): Record<string, unknown> {
  const fill = (ports: unknown) => {
    if (Array.isArray(ports)) for (const p of ports) if (p && typeof p === 'object' && !('protocol' in p)) (p as Record<string, unknown>).protocol = 'TCP';
  };
  const spec = doc.spec as Record<string, unknown> | undefined;
  if (doc.kind === 'Service') fill(spec?.ports);
  const podSpec = (doc.kind === 'Pod' ? spec : (spec?.template as { spec?: Record<string, unknown> } | undefined)?.spec);
  for (const list of ['containers', 'initContainers'] as const) {
    const containers = podSpec?.[list];
    if (Array.isArray(containers)) for (const c of containers) fill((c as { ports?: unknown }).ports);
  }
  return doc;
}

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

/**
 * On Kubernetes an override can only go into the Redis config file of a ConfigMap: the container's
 * command line is the manifest's own. An override that cannot take effect there is refused in one
 * line, never dropped while the summary records it: when no ConfigMap key holds the config file,
 * or when the container's command line sets the same directive (the command line wins over the file).
 */
export function assertOverridesApply(system: SystemUnderTest, overrides: RedisOverride[]): void {
  if (overrides.length === 0) return;
  const { redis } = system;
  const flag = (key: string) => (key === 'cluster-node-timeout' ? '--node-timeout' : `--redis-config ${key}`);
  if (!redis.configFile) {
    throw new HarnessError(`${flag(overrides[0]!.key)}: cannot be applied on Kubernetes: container ${redis.container.name} of StatefulSet ${redis.statefulSet.name} reads no Redis config file from a ConfigMap, and the harness does not rewrite the manifests' command line`);
  }
  const argv = [...redis.container.command, ...redis.container.args];
  for (const { key } of overrides) {
    if (argv.some((a) => a.toLowerCase() === `--${key}`)) {
      throw new HarnessError(`${flag(key)}: cannot be applied on Kubernetes: container ${redis.container.name}'s command line sets --${key}, which wins over the config file the override would go into`);
    }
  }
}
