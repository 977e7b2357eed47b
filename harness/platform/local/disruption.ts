import type { PodDisruptionBudget } from '../../manifests/types.ts';
import { matchesSelector } from './scheduler.ts';

/**
 * The eviction API's check, as the disruption controller computes it: for every budget whose
 * selector matches the pod, `disruptionsAllowed = healthy − desiredHealthy` must be at least 1.
 * Percentages are of the expected count (the StatefulSet's replicas) and round up, as in
 * Kubernetes (`intstr.GetScaledValueFromIntOrPercent(…, true)`).
 */
export function evictionVerdict(
  pod: { labels: Record<string, string> },
  budgets: PodDisruptionBudget[],
  pods: { labels: Record<string, string>; healthy: boolean }[],
  expected: number,
): { allowed: boolean; reason: string } {
  for (const b of budgets) {
    if (!matchesSelector(b.selector, pod.labels)) continue;
    const covered = pods.filter((p) => matchesSelector(b.selector, p.labels));
    const healthy = covered.filter((p) => p.healthy).length;
    const scaled = (v: number | string) => (typeof v === 'number' ? v : Math.ceil((Number(v.replace('%', '')) * expected) / 100));
    const desired = b.minAvailable !== undefined ? scaled(b.minAvailable) : Math.max(0, expected - scaled(b.maxUnavailable!));
    if (healthy - desired < 1) {
      return { allowed: false, reason: `Cannot evict pod as it would violate the pod's disruption budget ${b.name} (${healthy} healthy, ${desired} required)` };
    }
  }
  return { allowed: true, reason: '' };
}
