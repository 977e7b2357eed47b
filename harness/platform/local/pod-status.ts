// The Redis pods as RunningPlatform's pods() shows them, `kubectl get pods` with its node and zone.

import type { PodStatus } from '../types.ts';
import type { LocalPod } from './pod.ts';
import { assertUp, isReady, type LocalRun } from './run-state.ts';

export async function podStatuses(run: LocalRun): Promise<PodStatus[]> {
  assertUp(run);
  return Promise.all(run.redisPods.map((pod) => podStatus(run, pod)));
}

async function podStatus(run: LocalRun, pod: LocalPod): Promise<PodStatus> {
  const main = pod.containers[0];
  return {
    name: pod.name, ordinal: pod.ordinal, ip: pod.ip, incarnation: pod.incarnation,
    phase: pod.phase, restarts: main?.restarts ?? 0, held: main?.isHeld ?? false,
    node: pod.node, zone: run.nodePool.zoneOf(pod.node), reason: pod.reason, lastTermination: main?.lastTermination?.reason ?? null, oomKills: main?.oomKills ?? 0,
    ready: await isReady(run, pod),
  };
}
