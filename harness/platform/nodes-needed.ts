import type { SystemUnderTest } from '../manifests/index.ts';
import { HOSTNAME_LABEL, matchesSelector } from './local/scheduler.ts';

/** Never fewer (kind's default three workers): the StatefulSet spreads over nodes, and stopNode takes pods with it. */
const MIN_NODES = 3;

/**
 * How many nodes a run's manifests need, and why: the kind platform's workers, and the local
 * platform's nodes unless --nodes says otherwise, by one rule, so that a shape meets the same
 * nodes on both. At least three. At least one per pod of a shard (a master and its replicas), so
 * that a node's loss can take at most one pod of each shard, as a spread bootstrap
 * (examples/hardened) and the node scenarios expect: 3 × 2 needs 3, 3 × 3 needs 4. And one per
 * Redis pod when the manifests require pod anti-affinity on the hostname among those pods: on
 * fewer nodes the scheduler leaves the rest Pending, and the run could never start.
 */
export function nodesNeeded(system: SystemUnderTest): { count: number; why: string } {
  const set = system.redis.statefulSet;
  const shardPods = system.shape.replicasPerMaster + 1;
  const onePerNode = set.template.scheduling.podAntiAffinity.required
    .some((t) => t.topologyKey === HOSTNAME_LABEL && matchesSelector(t.labelSelector, set.template.labels));
  if (onePerNode && set.replicas > Math.max(MIN_NODES, shardPods)) {
    return { count: set.replicas, why: `${set.name} requires pod anti-affinity on ${HOSTNAME_LABEL}: one node per pod` };
  }
  if (shardPods > MIN_NODES) return { count: shardPods, why: `one node per pod of a shard (1 master + ${system.shape.replicasPerMaster} replicas)` };
  return { count: MIN_NODES, why: 'the default' };
}
