import { HarnessError } from '../../errors.ts';
import type { Teardown } from '../../util/lifecycle.ts';
import type { PlatformInfo } from '../types.ts';
import type { LocalPlatformOptions } from './local-options.ts';
import type { PodNetwork } from './sandbox/network.ts';
import { isPodReady, type RunSetup } from './pod-setup.ts';
import type { LocalNetFaults } from './sandbox/net-faults.ts';
import type { LocalPod } from './pod.ts';
import type { PodDisks } from './disk-fill.ts';
import type { StatefulSetController } from './statefulset-controller.ts';
import type { NodePool } from './node-pool.ts';
import type { RedisConnections } from './redis-connections.ts';
import type { RunDir } from './run-dir.ts';

/**
 * What the parts of a started local platform share: the run's settings, its pods and what was
 * started for them. local-running.ts makes it; the modules that answer RunningPlatform's calls
 * (pod-faults.ts, network-faults.ts, …) take it, so that none of them imports the platform back.
 */
export interface LocalRun {
  readonly options: LocalPlatformOptions;
  readonly info: PlatformInfo;
  readonly runDir: RunDir;
  readonly setup: RunSetup;
  readonly redisPods: LocalPod[];
  readonly appPods: { pod: LocalPod; port: number }[];
  readonly nodePool: NodePool<LocalPod>;
  readonly connections: RedisConnections;
  readonly netFaults: LocalNetFaults;
  readonly teardown: Teardown;
  /** Set once down() has begun: every call but down() is refused from then on. */
  downPromise: Promise<void> | null;
  network: PodNetwork | null;
  disks: PodDisks | null;
  /** Set by startStatefulSet. */
  controller?: StatefulSetController<LocalPod>;
  /** The hit counter's image for this run, once its build has begun (app-bundle.ts). */
  appImage?: Promise<string>;
}

export function assertUp(run: LocalRun): void {
  if (run.downPromise) throw new HarnessError('the local platform is down');
}

/** The Redis pod of that name; throws once the platform is down. */
export function redisPod(run: LocalRun, name: string): LocalPod {
  assertUp(run);
  const pod = run.redisPods.find((p) => p.name === name);
  if (!pod) throw new HarnessError(`no pod named ${name} (pods: ${run.redisPods.map((p) => p.name).join(', ')})`);
  return pod;
}

export function isReady(run: LocalRun, pod: LocalPod): Promise<boolean> {
  return isPodReady(run.setup, pod, run.appPods.find((a) => a.pod === pod));
}

/**
 * Ready as the StatefulSet controller counts it for OrderedReady: Kubernetes's Ready condition.
 * A container with no readiness probe is Ready once it runs ("the default state is Success"), so
 * the controller creates the next pod then, not once Redis listens; with a probe, the probe decides.
 * (isReady, for everything else, also waits for the client port without a probe: what a Service
 * would route to.)
 */
export function isStatefulSetReady(run: LocalRun, pod: LocalPod): Promise<boolean> {
  if (run.options.system.redis.container.readinessProbe) return isReady(run, pod);
  return Promise.resolve(pod.phase === 'Running' && pod.containers[0]?.state === 'running');
}

export async function stopAll(pods: LocalPod[]): Promise<void> {
  // Teardown needs no graceful shutdown (Redis 7 would wait up to shutdown-timeout for replicas).
  await Promise.all(pods.map((p) => p.delete(0)));
}
