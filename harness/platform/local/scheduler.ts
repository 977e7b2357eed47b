import type { AffinityTerm, LabelSelector, Scheduling, TopologySpreadConstraint } from '../../manifests/types.ts';

/**
 * The local platform's kube-scheduler: a pure function from a pod, the nodes and the pods already
 * placed to a node, or to the reason it stays Pending. It follows what Kubernetes 1.20 does with
 * the fields the manifests can set: filters (cordoned or down nodes, `nodeSelector`, required pod
 * affinity and anti-affinity in both directions, `DoNotSchedule` spread constraints), then scores
 * (preferred affinity and anti-affinity, `ScheduleAnyway` spread constraints, or the default
 * spreading over hostname and zone when the pod has none), and picks at random among the best,
 * as kube-scheduler does, with the caller's seeded random so that a run replays.
 */

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export interface SchedulingNode {
  name: string;
  labels: Record<string, string>;
  ready: boolean;
  unschedulable: boolean;
}

export interface SchedulingPod {
  name: string;
  labels: Record<string, string>;
  scheduling: Scheduling;
}

export interface PlacedPod extends SchedulingPod {
  node: string;
}

export type Placement = { node: string; reason: null } | { node: null; reason: string };

/** Kubernetes' system default spreading (1.20, `defaultingType: System`), over the pod's own set. */
function defaultConstraints(pod: SchedulingPod): TopologySpreadConstraint[] {
  const labelSelector = { matchLabels: pod.labels, matchExpressions: [] };
  return [
    { maxSkew: 3, topologyKey: HOSTNAME_LABEL, whenUnsatisfiable: 'ScheduleAnyway', labelSelector },
    { maxSkew: 5, topologyKey: ZONE_LABEL, whenUnsatisfiable: 'ScheduleAnyway', labelSelector },
  ];
}

export function matchesSelector(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions) {
    const has = Object.hasOwn(labels, e.key);
    const ok = e.operator === 'In' ? has && e.values.includes(labels[e.key]!)
      : e.operator === 'NotIn' ? !has || !e.values.includes(labels[e.key]!)
        : e.operator === 'Exists' ? has : !has;
    if (!ok) return false;
  }
  return true;
}

export function schedule(pod: SchedulingPod, nodes: SchedulingNode[], placed: PlacedPod[], random: () => number): Placement {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const others = placed.filter((p) => p.name !== pod.name && byName.has(p.node));
  const domain = (node: SchedulingNode, key: string) => node.labels[key];
  const inDomain = (node: SchedulingNode, key: string, selector: LabelSelector) => {
    const value = domain(node, key);
    return value === undefined ? 0 : others.filter((p) => domain(byName.get(p.node)!, key) === value && matchesSelector(selector, p.labels)).length;
  };
  const { nodeSelector, podAffinity, podAntiAffinity } = pod.scheduling;
  const selected = nodes.filter((n) => Object.entries(nodeSelector).every(([k, v]) => n.labels[k] === v));
  const constraints = pod.scheduling.topologySpreadConstraints.length ? pod.scheduling.topologySpreadConstraints : defaultConstraints(pod);

  const reasons = new Map<string, number>();
  const reject = (why: string) => void reasons.set(why, (reasons.get(why) ?? 0) + 1);
  const feasible = nodes.filter((node) => {
    if (!node.ready) return reject('node(s) were not ready'), false;
    if (node.unschedulable) return reject('node(s) were unschedulable'), false;
    if (!selected.includes(node)) return reject("node(s) didn't match node selector"), false;
    if (podAntiAffinity.required.some((t) => inDomain(node, t.topologyKey, t.labelSelector) > 0)) return reject("node(s) didn't match pod anti-affinity rules"), false;
    const existingAnti = others.some((p) => p.scheduling.podAntiAffinity.required.some((t) =>
      matchesSelector(t.labelSelector, pod.labels) && domain(byName.get(p.node)!, t.topologyKey) !== undefined && domain(byName.get(p.node)!, t.topologyKey) === domain(node, t.topologyKey)));
    if (existingAnti) return reject("node(s) didn't satisfy existing pods anti-affinity rules"), false;
    if (!podAffinity.required.every((t) => affinitySatisfied(t, node))) return reject("node(s) didn't match pod affinity rules"), false;
    for (const c of constraints) {
      if (c.whenUnsatisfiable !== 'DoNotSchedule') continue;
      if (domain(node, c.topologyKey) === undefined) return reject("node(s) didn't match pod topology spread constraints (missing required label)"), false;
      if (skewAfter(c, node) > c.maxSkew) return reject("node(s) didn't match pod topology spread constraints"), false;
    }
    return true;
  });
  if (feasible.length === 0) {
    const why = [...reasons].map(([r, n]) => `${n} ${r}`).join(', ');
    return { node: null, reason: `0/${nodes.length} nodes are available: ${why || 'no nodes'}.` };
  }

  // A required affinity term with no matching pod anywhere is satisfied by the pod matching itself (the first of a group).
  function affinitySatisfied(t: AffinityTerm, node: SchedulingNode): boolean {
    if (inDomain(node, t.topologyKey, t.labelSelector) > 0) return true;
    return !others.some((p) => matchesSelector(t.labelSelector, p.labels)) && matchesSelector(t.labelSelector, pod.labels);
  }

  // Skew if the pod went to `node`: its domain's matching count plus itself, minus the least-loaded eligible domain.
  function skewAfter(c: TopologySpreadConstraint, node: SchedulingNode): number {
    const counts = new Map<string, number>();
    for (const n of selected) {
      const d = domain(n, c.topologyKey);
      if (d !== undefined && !counts.has(d)) counts.set(d, inDomain(n, c.topologyKey, c.labelSelector));
    }
    const self = matchesSelector(c.labelSelector, pod.labels) ? 1 : 0;
    return (counts.get(domain(node, c.topologyKey)!) ?? 0) + self - Math.min(...counts.values());
  }

  const affinityRaw = feasible.map((node) =>
    podAffinity.preferred.reduce((s, p) => s + p.weight * inDomain(node, p.term.topologyKey, p.term.labelSelector), 0)
    - podAntiAffinity.preferred.reduce((s, p) => s + p.weight * inDomain(node, p.term.topologyKey, p.term.labelSelector), 0));
  const spreadRaw = feasible.map((node) => constraints.filter((c) => c.whenUnsatisfiable === 'ScheduleAnyway')
    .reduce((s, c) => s + inDomain(node, c.topologyKey, c.labelSelector), 0));
  // Each plugin's scores normalised to 0..100, as the framework does; spreading weighs 2 (its default weight).
  const affinity = normalise(affinityRaw, false);
  const spread = normalise(spreadRaw, true);
  const scores = feasible.map((_, i) => affinity[i]! + 2 * spread[i]!);
  const best = Math.max(...scores);
  const top = feasible.filter((_, i) => scores[i] === best);
  return { node: top[Math.min(top.length - 1, Math.floor(random() * top.length))]!.name, reason: null };
}

function normalise(raw: number[], lowerIsBetter: boolean): number[] {
  const max = Math.max(...raw);
  const min = Math.min(...raw);
  if (max === min) return raw.map(() => 100);
  return raw.map((r) => Math.round((100 * (lowerIsBetter ? max - r : r - min)) / (max - min)));
}
