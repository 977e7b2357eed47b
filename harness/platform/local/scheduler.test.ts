import { describe, expect, it } from 'vitest';
import type { LabelSelector, Scheduling } from '../../manifests/types.ts';
import { seededRandom } from '../../util/random.ts';
import { evictionVerdict } from './disruption.ts';
import { localNodes } from './nodes.ts';
import { matchesSelector, schedule, type PlacedPod, type SchedulingPod } from './scheduler.ts';

const app = { app: 'redis-cluster' };
const sel = (matchLabels: Record<string, string>, matchExpressions: LabelSelector['matchExpressions'] = []): LabelSelector => ({ matchLabels, matchExpressions });
const none: Scheduling = { nodeSelector: {}, podAffinity: { required: [], preferred: [] }, podAntiAffinity: { required: [], preferred: [] }, topologySpreadConstraints: [] };
const pod = (i: number, scheduling: Partial<Scheduling> = {}): SchedulingPod => ({ name: `redis-cluster-${i}`, labels: app, scheduling: { ...none, ...scheduling } });

/** Places pods 0..n-1 in order, as the StatefulSet controller creates them. */
function placeAll(n: number, scheduling: Partial<Scheduling>, seed = 1, nodes = localNodes(3)): PlacedPod[] {
  const random = seededRandom(seed, 'test');
  const placed: PlacedPod[] = [];
  for (let i = 0; i < n; i++) {
    const p = pod(i, scheduling);
    const r = schedule(p, nodes, placed, random);
    if (r.node === null) throw new Error(r.reason);
    placed.push({ ...p, node: r.node });
  }
  return placed;
}
const perNode = (placed: PlacedPod[]) => Object.values(placed.reduce<Record<string, number>>((m, p) => ({ ...m, [p.node]: (m[p.node] ?? 0) + 1 }), {})).sort();

describe('scheduler', () => {
  it('spreads a StatefulSet with no rules over the nodes, as the default spreading does', () => {
    for (const seed of [1, 2, 3, 4, 5]) expect(perNode(placeAll(6, {}, seed))).toEqual([2, 2, 2]);
  });

  it('replays: the same seed gives the same placement, another seed may not', () => {
    expect(placeAll(6, {}, 7).map((p) => p.node)).toEqual(placeAll(6, {}, 7).map((p) => p.node));
    const all = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => placeAll(6, {}, s).map((p) => p.node).join()));
    expect(all.size).toBeGreaterThan(1);
  });

  it('honours a nodeSelector, and leaves a pod Pending with the reason when no node matches', () => {
    expect(new Set(placeAll(6, { nodeSelector: { 'kubernetes.io/hostname': 'node-2' } }).map((p) => p.node))).toEqual(new Set(['node-2']));
    const r = schedule(pod(0, { nodeSelector: { disk: 'ssd' } }), localNodes(3), [], Math.random);
    expect(r).toEqual({ node: null, reason: "0/3 nodes are available: 3 node(s) didn't match node selector." });
  });

  it('required anti-affinity: one pod per node, the fourth stays Pending', () => {
    const anti = { podAntiAffinity: { required: [{ labelSelector: sel(app), topologyKey: 'kubernetes.io/hostname' }], preferred: [] } };
    expect(new Set(placeAll(3, anti).map((p) => p.node)).size).toBe(3);
    expect(() => placeAll(4, anti)).toThrow("3 node(s) didn't match pod anti-affinity rules");
  });

  it("existing pods' required anti-affinity keeps a matching newcomer away", () => {
    const nodes = localNodes(2);
    const placed: PlacedPod[] = [{ ...pod(0, { podAntiAffinity: { required: [{ labelSelector: sel({ role: 'x' }), topologyKey: 'kubernetes.io/hostname' }], preferred: [] } }), node: 'node-1' }];
    const r = schedule({ name: 'other', labels: { role: 'x' }, scheduling: none }, nodes, placed, () => 0);
    expect(r.node).toBe('node-2');
  });

  it('required affinity: with the first of a group, then together', () => {
    const together = { podAffinity: { required: [{ labelSelector: sel(app), topologyKey: 'kubernetes.io/hostname' }], preferred: [] } };
    expect(new Set(placeAll(4, together).map((p) => p.node)).size).toBe(1);
  });

  it('preferred anti-affinity spreads, preferred affinity gathers', () => {
    const apart = { podAntiAffinity: { required: [], preferred: [{ weight: 100, term: { labelSelector: sel(app), topologyKey: 'kubernetes.io/hostname' } }] } };
    expect(perNode(placeAll(6, apart))).toEqual([2, 2, 2]);
    const gather = { podAffinity: { required: [], preferred: [{ weight: 100, term: { labelSelector: sel(app), topologyKey: 'kubernetes.io/hostname' } }] },
      topologySpreadConstraints: [{ maxSkew: 6, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: sel(app) }] };
    expect(perNode(placeAll(6, gather))).toEqual([6]);
  });

  it('DoNotSchedule spread: maxSkew holds on every node and zone; a missing label filters the node', () => {
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: sel(app) }] };
    const nodes = localNodes(4, 2);
    const zones = placeAll(6, spread, 3, nodes).map((p) => nodes.find((n) => n.name === p.node)!.zone);
    expect(zones.filter((z) => z === 'zone-a').length).toBe(3);
    const r = schedule(pod(0, { topologySpreadConstraints: [{ ...spread.topologySpreadConstraints[0]!, topologyKey: 'rack' }] }), nodes, [], Math.random);
    expect(r.reason).toContain('missing required label');
  });

  it('skips cordoned and down nodes, naming why', () => {
    const nodes = localNodes(3);
    nodes[0]!.unschedulable = true;
    nodes[1]!.ready = false;
    expect(schedule(pod(0), nodes, [], Math.random).node).toBe('node-3');
    nodes[2]!.unschedulable = true;
    expect(schedule(pod(0), nodes, [], Math.random).reason).toBe('0/3 nodes are available: 2 node(s) were unschedulable, 1 node(s) were not ready.');
  });

  it('matches label selectors with every operator', () => {
    const labels = { app: 'redis', tier: 'cache' };
    expect(matchesSelector(sel({ app: 'redis' }), labels)).toBe(true);
    expect(matchesSelector(sel({ app: 'web' }), labels)).toBe(false);
    expect(matchesSelector(sel({}, [{ key: 'tier', operator: 'In', values: ['cache', 'db'] }]), labels)).toBe(true);
    expect(matchesSelector(sel({}, [{ key: 'tier', operator: 'NotIn', values: ['cache'] }]), labels)).toBe(false);
    expect(matchesSelector(sel({}, [{ key: 'zone', operator: 'Exists', values: [] }]), labels)).toBe(false);
    expect(matchesSelector(sel({}, [{ key: 'zone', operator: 'DoesNotExist', values: [] }]), labels)).toBe(true);
  });
});

describe('evictions and PodDisruptionBudgets', () => {
  const pods = (healthy: boolean[]) => healthy.map((h) => ({ labels: app, healthy: h }));
  const pdb = (b: { minAvailable?: number | string; maxUnavailable?: number | string }, matchLabels = app) =>
    ({ kind: 'PodDisruptionBudget' as const, name: 'redis', source: { file: 'pdb.yaml', documentIndex: 0 }, selector: sel(matchLabels), minAvailable: b.minAvailable, maxUnavailable: b.maxUnavailable });

  it('maxUnavailable 1 allows one eviction at a time', () => {
    expect(evictionVerdict({ labels: app }, [pdb({ maxUnavailable: 1 })], pods([true, true, true, true, true, true]), 6).allowed).toBe(true);
    const refused = evictionVerdict({ labels: app }, [pdb({ maxUnavailable: 1 })], pods([true, true, true, true, true, false]), 6);
    expect(refused).toEqual({ allowed: false, reason: "Cannot evict pod as it would violate the pod's disruption budget redis (5 healthy, 5 required)" });
  });

  it('minAvailable as a count and as a percentage (rounded up)', () => {
    expect(evictionVerdict({ labels: app }, [pdb({ minAvailable: 5 })], pods([true, true, true, true, true, true]), 6).allowed).toBe(true);
    expect(evictionVerdict({ labels: app }, [pdb({ minAvailable: '90%' })], pods([true, true, true, true, true, true]), 6).allowed).toBe(false);
  });

  it('a budget that does not select the pod, or none at all, never refuses', () => {
    expect(evictionVerdict({ labels: app }, [pdb({ minAvailable: 6 }, { app: 'other' })], pods([true]), 6).allowed).toBe(true);
    expect(evictionVerdict({ labels: app }, [], pods([false, false]), 6).allowed).toBe(true);
  });
});
