import { PatchStrategy, setHeaderOptions, type CoreV1Api, type PolicyApi, type V1Node } from '@kubernetes/client-node';
import type { EvictionResult, NodeStatus } from '../types.ts';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';
// Before 1.17 clusters labelled zones only with the beta key; some still carry only that one.
const BETA_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';

export function nodeStatusOf(n: V1Node): NodeStatus {
  const labels = n.metadata?.labels ?? {};
  return {
    name: n.metadata?.name ?? '',
    zone: labels[ZONE_LABEL] ?? labels[BETA_ZONE_LABEL] ?? null,
    labels,
    ready: n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    unschedulable: n.spec?.unschedulable ?? false,
  };
}

/**
 * Nodes through the API, as kubectl does it: list, cordon and uncordon (a merge patch of
 * `spec.unschedulable`), and the eviction subresource, which answers 429 while a
 * PodDisruptionBudget allows no disruption. The Eviction's group version is the one the server
 * serves: policy/v1 from Kubernetes 1.22, policy/v1beta1 before (1.20 knows no other).
 */
export class KubernetesNodes {
  private evictionVersion: Promise<string> | null = null;
  /** Nodes this run cordoned and has not uncordoned: uncordoned at teardown whatever happened. */
  readonly cordoned = new Set<string>();
  private zones = new Map<string, string | null>();

  constructor(private readonly core: CoreV1Api, private readonly policy: PolicyApi) {}

  async list(): Promise<NodeStatus[]> {
    const nodes = (await this.core.listNode()).items.map(nodeStatusOf).sort((a, b) => a.name.localeCompare(b.name));
    this.zones = new Map(nodes.map((n) => [n.name, n.zone]));
    return nodes;
  }

  /** The node's zone, from a cache refreshed when an unknown node shows up (pods() runs every 250 ms). */
  async zoneOf(node: string | null): Promise<string | null> {
    if (node === null) return null;
    // Listing nodes needs a ClusterRole a namespaced user may lack: then zones are unknown, not an error.
    if (!this.zones.has(node)) await this.list().catch(() => void this.zones.set(node, null));
    return this.zones.get(node) ?? null;
  }

  async setUnschedulable(name: string, unschedulable: boolean): Promise<void> {
    await this.core.patchNode({ name, body: { spec: { unschedulable } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    if (unschedulable) this.cordoned.add(name);
    else this.cordoned.delete(name);
  }

  async evict(namespace: string, name: string): Promise<EvictionResult> {
    this.evictionVersion ??= this.policy.getAPIGroup().then((g) => (g.versions.some((v) => v.version === 'v1') ? 'policy/v1' : 'policy/v1beta1'));
    const apiVersion = await this.evictionVersion;
    try {
      await this.core.createNamespacedPodEviction({ name, namespace, body: { apiVersion, kind: 'Eviction', metadata: { name, namespace } } });
      return { evicted: true, reason: '' };
    } catch (error) {
      const e = error as { code?: number; body?: unknown };
      if (e.code !== 429) throw error;
      return { evicted: false, reason: statusMessage(e.body) ?? 'refused (429)' };
    }
  }
}

function statusMessage(body: unknown): string | null {
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: string } | null;
    return status?.message ?? null;
  } catch {
    return typeof body === 'string' ? body.slice(0, 300) : null;
  }
}
