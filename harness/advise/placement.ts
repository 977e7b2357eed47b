// Where the pods run, and how many of them Kubernetes may take away at once.
import type { AffinityTerm, PodDisruptionBudget } from '../manifests/index.ts';
import type { Rule } from './types.ts';
import { finding, selects } from './util.ts';

/** How many of `replicas` pods the budget lets go at once; both percentages round up, as the disruption controller's do. */
function allowedDisruptions(pdb: PodDisruptionBudget, replicas: number): number | null {
  const count = (v: number | string) => {
    if (typeof v === 'number') return v;
    const m = /^(\d+)%$/.exec(v);
    return m ? Math.ceil((Number(m[1]) * replicas) / 100) : null;
  };
  if (pdb.maxUnavailable !== undefined) return count(pdb.maxUnavailable);
  const min = count(pdb.minAvailable!);
  return min === null ? null : Math.max(0, replicas - min);
}

export const podDisruptionBudget: Rule = {
  id: 'pod-disruption-budget',
  summary: 'no PodDisruptionBudget for the Redis pods, or one that lets a whole shard go at once (a budget for the cluster, not per shard) or none at all',
  check: (s) => {
    const sts = s.redis.statefulSet;
    const budgets = s.system.manifests.objects.filter((o): o is PodDisruptionBudget => o.kind === 'PodDisruptionBudget' && selects(o.selector, sts.template.labels));
    if (budgets.length === 0) {
      return [finding('pod-disruption-budget', 'risk', 'node-drain', s.at(sts.source, ['kind']),
        `no PodDisruptionBudget selects the pods of StatefulSet "${sts.name}": a node drain may evict a master and its replica together, and the shard goes down`)];
    }
    // Pods of one shard cannot be told apart by label, so one budget covers the cluster: it must
    // allow fewer evictions at once than a shard has pods, and at least one, or no drain ends.
    const shard = 1 + s.system.shape.replicasPerMaster;
    return budgets.flatMap((pdb) => {
      const allowed = allowedDisruptions(pdb, sts.replicas);
      const field = pdb.maxUnavailable !== undefined ? 'maxUnavailable' : 'minAvailable';
      const at = s.at(pdb.source, ['spec', field]);
      const setting = `${field} ${pdb[field]}`;
      if (allowed !== null && allowed >= shard) {
        return [finding('pod-disruption-budget', 'risk', 'node-drain', at,
          `PodDisruptionBudget "${pdb.name}" (${setting}) lets ${allowed} of the ${sts.replicas} pods go at once, a budget for the cluster rather than per shard: a drain may evict a master and its replica together`)];
      }
      if (allowed === 0) {
        return [finding('pod-disruption-budget', 'risk', 'node-drain', at,
          `PodDisruptionBudget "${pdb.name}" (${setting}) allows no eviction of the ${sts.replicas} pods: a node drain never completes`)];
      }
      return [];
    });
  },
};

// Zones are made of nodes, so spreading across zones spreads across nodes too.
const NODE_KEYS = new Set(['kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone']);

export const antiAffinity: Rule = {
  id: 'anti-affinity',
  summary: 'no pod anti-affinity or topology spread of the Redis pods across nodes (or a nodeSelector that pins them to one)',
  check: (s) => {
    const { template, source } = s.redis.statefulSet;
    const { scheduling } = template;
    const spec = ['spec', 'template', 'spec'];
    if (scheduling.nodeSelector['kubernetes.io/hostname'] !== undefined) {
      return [finding('anti-affinity', 'risk', 'node-crash', s.at(source, [...spec, 'nodeSelector', 'kubernetes.io/hostname']),
        `nodeSelector kubernetes.io/hostname=${scheduling.nodeSelector['kubernetes.io/hostname']} puts every Redis pod on one node: its crash takes every shard`)];
    }
    const spreads = (t: AffinityTerm) => NODE_KEYS.has(t.topologyKey) && selects(t.labelSelector, template.labels);
    const anti = scheduling.podAntiAffinity;
    if (anti.required.some(spreads) || anti.preferred.some((p) => spreads(p.term))
      || scheduling.topologySpreadConstraints.some((c) => NODE_KEYS.has(c.topologyKey) && selects(c.labelSelector, template.labels))) return [];
    return [finding('anti-affinity', 'risk', 'node-crash', s.at(source, [...spec, 'affinity']),
      `no pod anti-affinity or topology spread keeps the Redis pods of StatefulSet "${s.redis.statefulSet.name}" on different nodes: a master and its replica may share a node, and its crash takes the whole shard`)];
  },
};

export const placementRules: Rule[] = [podDisruptionBudget, antiAffinity];
