import { PatchStrategy, setHeaderOptions, type AppsV1Api, type CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { HarnessError } from '../../errors.ts';
import type { SystemUnderTest } from '../../manifests/index.ts';
import { NotYet, waitUntil } from '../../util/wait.ts';
import type { EvictionResult, PodStatus } from '../types.ts';
import { fullStopDeadlineMs, startDeadlineMs } from './deadlines.ts';
import { containerIdOf, type NodeAgents } from './node-agent.ts';
import type { KubernetesNodes } from './nodes.ts';

export interface PodFaultDeps {
  core: CoreV1Api;
  apps: AppsV1Api;
  /** Signals a pod's main process from its node. */
  agents: NodeAgents;
  /** The eviction subresource. */
  nodes: KubernetesNodes;
  namespace: string;
  system: SystemUnderTest;
  readyTimeoutMs?: number;
  /** The Redis pods now, as the platform's pods() lists them. */
  pods(): Promise<PodStatus[]>;
  /** Closes the port-forwards to the Redis pods and forgets their connections. */
  dropForwards(): Promise<void>;
}

/**
 * Faults on the run's Redis pods: delete and evict through the API; crash, kill and restart, pause
 * and resume by the node agent's signals; the full restart by scaling the StatefulSet. Remembers
 * the pods kill() holds down, which pods() reports as held.
 */
export class KubernetesPodFaults {
  /** Pods held down by kill(): the container id that was frozen. */
  private readonly held = new Map<string, string | null>();

  constructor(private readonly deps: PodFaultDeps) {}

  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  async deletePod(name: string, { gracePeriodSeconds }: { gracePeriodSeconds?: number } = {}): Promise<void> {
    const before = await this.deps.core.readNamespacedPod({ name, namespace: this.deps.namespace }).catch(() => null);
    await this.deps.core.deleteNamespacedPod({ name, namespace: this.deps.namespace, ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }) })
      .catch((e: { code?: number }) => { if (e.code !== 404) throw e; }); // already gone is what we wanted
    this.held.delete(name);
    await this.untilGone(name, before, gracePeriodSeconds);
  }

  /** Like kubectl delete: until the old pod is gone (the StatefulSet then re-creates it), within its grace period and a minute. */
  private async untilGone(name: string, before: V1Pod | null, gracePeriodSeconds?: number): Promise<void> {
    const grace = gracePeriodSeconds ?? before?.spec?.terminationGracePeriodSeconds ?? 30;
    await waitUntil(`pod ${name} gone`, async () => {
      const now = await this.deps.core.readNamespacedPod({ name, namespace: this.deps.namespace }).catch(() => null);
      if (now && now.metadata?.uid === before?.metadata?.uid) throw new NotYet(`${name} still terminating`);
    }, { timeoutMs: (grace + 60) * 1000, intervalMs: 250 });
  }

  async crash(name: string): Promise<void> {
    await this.deps.agents.signal(name, 'KILL');
  }

  /**
   * The kubelet restarts a killed container at once, so "kill and keep down" is SIGSTOP: the process
   * stays, frozen. Unlike a real kill, its connections hang instead of being refused; peers see it
   * only by timeouts, as with a node that lost its network.
   */
  async kill(name: string): Promise<void> {
    const container = await this.mainContainerId(name);
    await this.deps.agents.signal(name, 'STOP');
    this.held.set(name, container);
  }

  /**
   * Ends the frozen process with SIGKILL; the kubelet restarts the container in place, after its
   * crash back-off (the local platform counts a hold the same way). A frozen container is still
   * liveness-probed: if the kubelet already killed and restarted it during the hold, the new
   * container is left alone rather than killed a second time.
   */
  async restart(name: string): Promise<void> {
    const held = this.held.get(name);
    this.held.delete(name);
    if (held && (await this.mainContainerId(name)) !== held) return;
    await this.deps.agents.signal(name, 'KILL');
  }

  private async mainContainerId(name: string): Promise<string | null> {
    const pod = await this.deps.core.readNamespacedPod({ name, namespace: this.deps.namespace });
    return containerIdOf(pod, this.deps.system.redis.container.name);
  }

  async pause(name: string): Promise<void> {
    await this.deps.agents.signal(name, 'STOP');
  }

  async resume(name: string): Promise<void> {
    await this.deps.agents.signal(name, 'CONT');
  }

  /**
   * All pods gone before any comes back: scale the StatefulSet to 0, wait until no pod is left,
   * scale it back. The PVCs stay; the IPs are the CNI's, so `shuffleIps` cannot be promised here.
   */
  async fullRestart({ shuffleIps = false }: { shuffleIps?: boolean } = {}): Promise<{ pod: string; before: string | null; after: string | null }[]> {
    if (shuffleIps) throw new HarnessError('full restart with shuffled IPs: on Kubernetes the CNI assigns pod IPs, so only the local platform can give pods each other\'s previous IPs');
    const sts = this.deps.system.redis.statefulSet;
    const before = await this.deps.pods();
    const scale = (replicas: number) => this.deps.apps.patchNamespacedStatefulSetScale(
      { name: sts.name, namespace: this.deps.namespace, body: { spec: { replicas } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await scale(0);
    await waitUntil('every pod terminated', async () => {
      const left = await this.deps.pods();
      if (left.length > 0) throw new NotYet(`${left.map((p) => p.name).join(', ')} still terminating`);
    }, { timeoutMs: fullStopDeadlineMs(sts), intervalMs: 500 });
    this.held.clear();
    // The forwards named pods that are gone: drop them and their connections; new ones follow.
    await this.deps.dropForwards();
    await scale(sts.replicas);
    await waitUntil('every pod running again', async () => {
      const now = await this.deps.pods();
      if (now.length < sts.replicas || now.some((p) => p.phase !== 'Running' || !p.ip)) throw new NotYet(`${now.filter((p) => p.phase === 'Running').length}/${sts.replicas} running`);
    }, { timeoutMs: this.deps.readyTimeoutMs ?? startDeadlineMs(sts), intervalMs: 500 });
    const after = await this.deps.pods();
    return before.map((p) => ({ pod: p.name, before: p.ip, after: after.find((a) => a.name === p.name)?.ip ?? null }));
  }

  /** The eviction subresource; once it is accepted, waits as deletePod does until the old pod is gone. */
  async evict(name: string): Promise<EvictionResult> {
    const before = await this.deps.core.readNamespacedPod({ name, namespace: this.deps.namespace });
    const result = await this.deps.nodes.evict(this.deps.namespace, name);
    if (!result.evicted) return result;
    this.held.delete(name);
    await this.untilGone(name, before);
    return result;
  }
}
