import { appendFile } from 'node:fs/promises';
import { HarnessError } from '../../errors.ts';
import { waitUntil, NotYet } from '../../util/wait.ts';
import { livenessSubjects, podContext } from './pod-setup.ts';
import { LivenessProbes } from './liveness.ts';
import { LocalPod } from './pod.ts';
import { PodDisks } from './disk-fill.ts';
import { StatefulSetController } from './statefulset-controller.ts';
import { ownLogTail } from './pod-logs.ts';
import { isReady, isStatefulSetReady, stopAll, type LocalRun } from './run-state.ts';

/**
 * The Redis StatefulSet's start: its volumes, its pods, the controller that re-creates them and
 * the liveness probes, each deferred to the run's teardown in the order it must be undone.
 */
export async function startStatefulSet(run: LocalRun, signal?: AbortSignal): Promise<void> {
  const { statefulSet, clientPort, busPort } = run.options.system.redis;
  // Deferred before the pods, so it runs after them: nothing holds a claim when it is unmounted.
  run.disks = await PodDisks.start(run.runDir, statefulSet.volumeClaimTemplates, run.network !== null);
  run.setup.volumes = run.disks.volumes;
  run.teardown.defer('volumes', () => run.disks?.volumes.down());
  run.teardown.defer('redis pods', () => stopAll(run.redisPods));
  const ctx = podContext(run.setup, statefulSet.template, statefulSet.source, statefulSet.volumeClaimTemplates.map((t) => t.name), [clientPort, busPort]);
  for (let ordinal = 0; ordinal < statefulSet.replicas; ordinal++) {
    run.redisPods.push(new LocalPod(`${statefulSet.name}-${ordinal}`, ordinal, ctx));
  }
  // Where a person looks when the pod never came back: its log.
  const onError = (pod: LocalPod, error: unknown) => void appendFile(run.runDir.log(pod.name, statefulSet.template.containers[0]?.name ?? 'redis'),
    `=== redis-chaos: the StatefulSet controller could not re-create ${pod.name}: ${error instanceof Error ? error.message : String(error)}\n`).catch(() => undefined);
  // Re-created pods are scheduled anew; one that fits no node waits Pending, as on Kubernetes.
  run.controller = new StatefulSetController(run.redisPods, statefulSet.podManagementPolicy, (pod) => isStatefulSetReady(run, pod),
    (pod) => run.nodePool.bindThen(pod, () => pod.create(), (error) => onError(pod, error)), onError);
  run.teardown.defer('statefulset controller', () => run.controller!.stop());
  run.teardown.defer('scheduler', () => run.nodePool.stop());
  await createPods(run, signal);
  // The kubelet's liveness probes, from the first start on (the seed's manifests have none).
  const liveness = new LivenessProbes(() => livenessSubjects(run.setup, run.redisPods, run.appPods));
  liveness.start();
  run.teardown.defer('liveness probes', () => liveness.stop());
}

/**
 * The StatefulSet controller's creation: OrderedReady waits for each pod to be Ready, as the
 * controller counts it (isStatefulSetReady), before the next. Resolves once every pod is ready to
 * serve (isReady): its probe passes, or without one, Redis accepts connections.
 */
export async function createPods(run: LocalRun, signal?: AbortSignal, ips: (string | undefined)[] = []): Promise<void> {
  const timeoutMs = run.options.podReadyTimeoutMs ?? 30_000;
  const waitFor = (pod: LocalPod, ready: (run: LocalRun, pod: LocalPod) => Promise<boolean>) => waitUntil(`pod ${pod.name} ready`, async () => {
    if (!(await ready(run, pod))) throw new NotYet(`${pod.name} (${pod.ip ?? 'no IP'}, container ${pod.containers[0]?.state ?? 'none'}) is not ready; log: ${await ownLogTail(run, pod.name, 3)}`);
  }, { timeoutMs, intervalMs: 10, signal });
  const startAndWait = async (pod: LocalPod, i: number) => {
    // The local platform's nodes are a flag, not the manifests' choice: say which one.
    if (!run.nodePool.bind(pod)) throw new HarnessError(`${pod.name} stays Pending: ${pod.reason} (the local platform has ${run.nodePool.nodes.length} nodes; --nodes N sets how many)`);
    await pod.create(ips[i]);
    await waitFor(pod, isStatefulSetReady);
  };
  if (run.options.system.redis.statefulSet.podManagementPolicy === 'OrderedReady') {
    // Every pod's claims (mkfs, mount) and network namespace are made at once, ahead of its turn,
    // as a provisioner binds PVCs ahead of their pods; the pods still start one by one, each once
    // the one before is Ready. One pod ahead, they took 0.6 s for the seed's six, pod after pod
    // (measured); a failure surfaces when that pod asks for them. In pod order, so that addresses keep it.
    for (const [i, pod] of run.redisPods.entries()) {
      pod.prepareNetwork(ips[i]);
      for (const claim of run.options.system.redis.statefulSet.volumeClaimTemplates) void run.disks?.volumes.ensure(claim.name, pod.name).catch(() => undefined);
    }
    for (const [i, pod] of run.redisPods.entries()) await startAndWait(pod, i);
  } else await Promise.all(run.redisPods.map((pod, i) => startAndWait(pod, i)));
  await Promise.all(run.redisPods.map((pod) => waitFor(pod, isReady)));
}
