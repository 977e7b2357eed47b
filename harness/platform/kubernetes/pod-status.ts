import type { V1Pod } from '@kubernetes/client-node';
import type { PodStatus } from '../types.ts';

export const isReady = (p: V1Pod) => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/** A StatefulSet pod's ordinal, from its name; -1 for a name without one. */
export const ordinalOf = (p: V1Pod) => Number(/-(\d+)$/.exec(p.metadata?.name ?? '')?.[1] ?? -1);

/** Why a pod is not running, as `kubectl describe pod` would say it first. */
export function podReason(p: V1Pod, container: string): string | null {
  const scheduled = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') return `${scheduled.reason ?? 'Unschedulable'}: ${scheduled.message ?? ''}`.trim();
  const waiting = p.status?.containerStatuses?.find((c) => c.name === container)?.state?.waiting;
  return waiting?.reason ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : null;
}

/** The platform's view of one pod; `container` is the Redis container, whose restarts and terminations count. */
export function podStatusOf(p: V1Pod, { container, held, zone }: { container: string; held: boolean; zone: string | null }): PodStatus {
  const main = p.status?.containerStatuses?.find((c) => c.name === container);
  return {
    name: p.metadata!.name!, ordinal: ordinalOf(p), ip: p.status?.podIP ?? null,
    phase: p.metadata?.deletionTimestamp ? 'Terminating' : p.status?.phase === 'Running' ? 'Running' : p.status?.phase === 'Pending' ? 'Pending' : 'Failed',
    ready: isReady(p), restarts: main?.restartCount ?? 0, incarnation: p.metadata?.uid ?? '', held,
    node: p.spec?.nodeName ?? null, zone, reason: podReason(p, container),
    // What `kubectl describe pod` shows as "Last State: Terminated, Reason: OOMKilled".
    lastTermination: main?.lastState?.terminated?.reason ?? null,
  };
}
