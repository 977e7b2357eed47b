// Faults on the Redis pods, as RunningPlatform names them: their main process paused, crashed or
// held down, a pod deleted or evicted (the StatefulSet re-creates it), every pod restarted at once.

import type { EvictionResult } from '../types.ts';
import { evictionVerdict } from './disruption.ts';
import { createPods } from './statefulset-start.ts';
import { assertUp, isReady, redisPod, type LocalRun } from './run-state.ts';

export async function fullRestart(run: LocalRun, { shuffleIps = false }: { shuffleIps?: boolean } = {}): Promise<{ pod: string; before: string | null; after: string | null }[]> {
  assertUp(run);
  const before = run.redisPods.map((p) => p.ip);
  const grace = run.options.system.redis.statefulSet.template.terminationGracePeriodSeconds;
  await Promise.all(run.redisPods.map((p) => p.delete(grace)));
  for (const p of run.redisPods) p.node = null;
  for (const ip of before) if (ip) run.connections.forget(ip, run.info.clientPort);
  // Each pod on the previous IP of the next one: every recorded peer address now names another node.
  const ips = shuffleIps ? before.map((_, i) => before[(i + 1) % before.length] ?? undefined) : [];
  if (!run.downPromise) await createPods(run, undefined, ips);
  return run.redisPods.map((p, i) => ({ pod: p.name, before: before[i] ?? null, after: p.ip }));
}

export async function pausePod(run: LocalRun, name: string): Promise<void> {
  redisPod(run, name).main.pause();
}

export async function resumePod(run: LocalRun, name: string): Promise<void> {
  redisPod(run, name).main.resume();
}

export async function deletePod(run: LocalRun, name: string, { gracePeriodSeconds }: { gracePeriodSeconds?: number } = {}): Promise<void> {
  const pod = redisPod(run, name);
  const oldIp = pod.ip;
  try {
    await pod.delete(gracePeriodSeconds ?? run.options.system.redis.statefulSet.template.terminationGracePeriodSeconds);
    if (oldIp) run.connections.forget(oldIp, run.info.clientPort);
  } finally {
    // A new pod object: it is scheduled again.
    pod.node = null;
    // The StatefulSet controller re-creates it (same name and PVC, new UID and IP): at once, or
    // under OrderedReady once every lower ordinal is ready.
    if (!run.downPromise) await run.controller!.recreate(pod);
  }
}

export async function crashPod(run: LocalRun, name: string): Promise<void> {
  redisPod(run, name).main.signal('SIGKILL');
}

export async function killPod(run: LocalRun, name: string): Promise<void> {
  await redisPod(run, name).main.hold();
}

export async function restartPod(run: LocalRun, name: string): Promise<void> {
  redisPod(run, name).main.release();
}

/** Refused while the manifests' PodDisruptionBudgets allow no disruption; otherwise a graceful delete. */
export async function evictPod(run: LocalRun, name: string): Promise<EvictionResult> {
  const pod = redisPod(run, name);
  const budgets = run.options.system.manifests.objects.filter((o) => o.kind === 'PodDisruptionBudget');
  const pods = await Promise.all(run.redisPods.map(async (p) => ({ labels: p.labels, healthy: await isReady(run, p) })));
  const verdict = evictionVerdict(pod, budgets, pods, run.options.system.redis.statefulSet.replicas);
  if (!verdict.allowed) return { evicted: false, reason: verdict.reason };
  await deletePod(run, name);
  return { evicted: true, reason: '' };
}
