import { AppsV1Api, CoreV1Api, Exec, KubernetesObjectApi, PatchStrategy, PolicyApi, PortForward, setHeaderOptions, type V1Pod, type V1StatefulSet } from '@kubernetes/client-node';
import { HarnessError } from '../../errors.ts';
import { runOverrides, type RedisOverride, type SystemUnderTest } from '../../manifests/index.ts';
import { Teardown } from '../../util/lifecycle.ts';
import { onTerminate } from '../../util/terminate.ts';
import { NotYet, waitUntil } from '../../util/wait.ts';
import { RedisConnections } from '../local/redis-connections.ts';
import type { AppEndpoint, CallOptions, EvictionResult, ExecResult, LinkFault, NodeStatus, PlatformInfo, PodStatus, RedisReply, RunningPlatform } from '../types.ts';
import { faultTable } from '../net-rules.ts';
import { applyDocuments, withRedisOverrides } from './apply.ts';
import { documentsFor } from './documents.ts';
import { KubernetesApp } from './app-deployment.ts';
import { collectArtifacts } from './artifacts.ts';
import type { Target } from './kubeconfig.ts';
import { KubernetesNetFaults } from './net-faults.ts';
import { containerIdOf, NodeAgents } from './node-agent.ts';
import { execIn, forwardPort } from './streams.ts';
import { KubernetesDisks } from './disk-fill.ts';
import { diagnosePods, watchUntil } from './waits.ts';
import { KubernetesNodes } from './nodes.ts';
import { ordinalOf, podStatusOf } from './pod-status.ts';
import { fullStopDeadlineMs, startDeadlineMs } from './deadlines.ts';
import { LABELS, selector } from './labels.ts';

export interface KubernetesPlatformOptions {
  system: SystemUnderTest;
  runId: string;
  context: string | null;
  allowContext: string | null;
  keep: boolean;
  nodeTimeoutOverrideMs: number | null;
  redisConfig?: RedisOverride[];
  kubeconfig?: string | null;
  /** Where pod logs and events are collected before the namespace goes. */
  artifactsDir?: string | null;
  kind?: 'kubernetes' | 'kind';
  readyTimeoutMs?: number;
}

/** A started Kubernetes platform: the run's namespace, its Redis pods, and what can be done to them. */
export class KubernetesRunning implements RunningPlatform {
  readonly info: PlatformInfo;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly objects: KubernetesObjectApi;
  private readonly exec: Exec;
  private readonly pf: PortForward;
  private readonly agents: NodeAgents;
  private readonly nodeApi: KubernetesNodes;
  /** Pods of a "crashed" node: frozen until restoreNode. */
  private readonly lost = new Map<string, string[]>();
  private readonly connections = new RedisConnections();
  private readonly forwards = new Map<string, Promise<{ port: number; close(): Promise<void> }>>();
  /** Pods held down by kill(): the container id that was frozen. */
  private readonly held = new Map<string, string | null>();
  private readonly disks: KubernetesDisks;
  private readonly netFaults: KubernetesNetFaults;
  private readonly teardown = new Teardown();
  private readonly app: KubernetesApp;
  private downPromise: Promise<void> | null = null;
  readonly namespace: string;

  constructor(private readonly options: KubernetesPlatformOptions, private readonly target: Target, kind: 'kubernetes' | 'kind') {
    this.namespace = `redis-chaos-${options.runId}`;
    const { kc } = target;
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.exec = new Exec(kc);
    this.pf = new PortForward(kc);
    this.nodeApi = new KubernetesNodes(this.core, kc.makeApiClient(PolicyApi));
    this.disks = new KubernetesDisks(this.exec, this.namespace, options.system);
    this.agents = new NodeAgents(this.core, this.exec, this.namespace, options.runId, options.system.redis.container.name);
    this.netFaults = new KubernetesNetFaults({
      inNetns: (pod, script) => this.agents.inNetns(pod, script),
      podUid: (pod) => this.core.readNamespacedPod({ name: pod, namespace: this.namespace }).then(
        (p) => p.metadata?.uid ?? '', (e: { code?: number }) => (e.code === 404 ? null : Promise.reject(e))),
      podIps: () => this.podIps(),
      table: faultTable(options.runId),
    });
    this.app = new KubernetesApp({
      kc, core: this.core, apps: this.apps, objects: this.objects, pf: this.pf, namespace: this.namespace, system: options.system,
      teardown: this.teardown, logs: (name, logOptions) => this.logs(name, logOptions),
    });
    const { redis } = options.system;
    this.info = {
      kind, runId: options.runId, redisImage: redis.container.image, redisServerVersion: 'unknown',
      manifestNodeTimeoutMs: redis.nodeTimeoutMs, nodeTimeoutOverrideMs: options.nodeTimeoutOverrideMs,
      clientPort: redis.clientPort, namespace: this.namespace, isolation: null, isolationNote: null,
    };
  }

  async start(signal?: AbortSignal): Promise<void> {
    const { system, runId, keep } = this.options;
    const unregister = onTerminate(() => this.down());
    this.teardown.defer('signal hook', unregister);
    await this.core.createNamespace({ body: { metadata: { name: this.namespace, labels: LABELS(runId) } } });
    // A cordon outlives the namespace: a node this run cordoned is uncordoned whatever happened.
    this.teardown.defer('cordoned nodes', async () => {
      for (const node of [...this.nodeApi.cordoned]) await this.nodeApi.setUnschedulable(node, false);
    });
    this.teardown.defer('namespace', async () => {
      if (!keep) await this.core.deleteNamespace({ name: this.namespace }).catch((e: { code?: number }) => { if (e.code !== 404) throw e; });
    });
    this.teardown.defer('logs and events', () => this.collectArtifacts());
    this.teardown.defer('port-forwards', async () => {
      this.connections.close();
      for (const f of this.forwards.values()) await (await f).close();
    });
    const { redis } = system;
    const overrides = runOverrides(this.options.nodeTimeoutOverrideMs, this.options.redisConfig);
    const docs = withRedisOverrides(documentsFor(this.options.system, 'redis'), redis.configFile?.configMap ?? '', redis.configFile?.key ?? '', overrides);
    await applyDocuments(this.objects, docs, this.namespace);
    const sts = redis.statefulSet;
    await watchUntil<V1StatefulSet>(this.target.kc, `StatefulSet ${sts.name} ready`,
      async () => {
        const s = await this.apps.readNamespacedStatefulSet({ name: sts.name, namespace: this.namespace });
        return { items: [s], resourceVersion: s.metadata?.resourceVersion };
      },
      `/apis/apps/v1/namespaces/${this.namespace}/statefulsets`, { fieldSelector: `metadata.name=${sts.name}` },
      ([s]) => !!s && s.status?.readyReplicas === sts.replicas && !!s.status?.currentRevision && s.status.currentRevision === s.status.updateRevision,
      { timeoutMs: this.options.readyTimeoutMs ?? startDeadlineMs(sts), ...(signal ? { signal } : {}) },
    ).catch(async (error: unknown) => {
      throw new HarnessError(`${error instanceof Error ? error.message : String(error)}: ${await diagnosePods(this.core, this.namespace, selector(sts.template.labels))}`);
    });
    // The node agents start now, not at the first fault: a fault is timed from when it takes effect.
    const placed = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selector(sts.template.labels) });
    await this.agents.prepare(placed.items.flatMap((p) => (p.spec?.nodeName ? [p.spec.nodeName] : [])), signal ? { signal } : {});
    const version = await this.redisCli(`${sts.name}-0`, ['--version'], { timeoutMs: 20_000 }).catch(() => null);
    this.info.redisServerVersion = /(\d+\.\d+\.\d+)/.exec(version?.stdout ?? '')?.[1] ?? 'unknown';
  }

  async pods(): Promise<PodStatus[]> {
    this.assertUp();
    const sts = this.options.system.redis.statefulSet;
    const container = this.options.system.redis.container.name;
    const list = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selector(sts.template.labels) });
    const pods = list.items.filter((p) => p.metadata?.name?.startsWith(`${sts.name}-`)).sort((a, b) => ordinalOf(a) - ordinalOf(b));
    const zones = await Promise.all(pods.map((p) => this.nodeApi.zoneOf(p.spec?.nodeName ?? null)));
    return pods.map((p, i) => podStatusOf(p, { container, held: this.held.has(p.metadata!.name!), zone: zones[i] ?? null }));
  }

  async deletePod(name: string, { gracePeriodSeconds }: { gracePeriodSeconds?: number } = {}): Promise<void> {
    this.assertUp();
    const before = await this.core.readNamespacedPod({ name, namespace: this.namespace }).catch(() => null);
    await this.core.deleteNamespacedPod({ name, namespace: this.namespace, ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }) })
      .catch((e: { code?: number }) => { if (e.code !== 404) throw e; }); // already gone is what we wanted
    this.held.delete(name);
    await this.untilGone(name, before, gracePeriodSeconds);
  }

  /** Like kubectl delete: until the old pod is gone (the StatefulSet then re-creates it), within its grace period and a minute. */
  private async untilGone(name: string, before: V1Pod | null, gracePeriodSeconds?: number): Promise<void> {
    const grace = gracePeriodSeconds ?? before?.spec?.terminationGracePeriodSeconds ?? 30;
    await waitUntil(`pod ${name} gone`, async () => {
      const now = await this.core.readNamespacedPod({ name, namespace: this.namespace }).catch(() => null);
      if (now && now.metadata?.uid === before?.metadata?.uid) throw new NotYet(`${name} still terminating`);
    }, { timeoutMs: (grace + 60) * 1000, intervalMs: 250 });
  }

  async crash(name: string): Promise<void> {
    await this.agents.signal(name, 'KILL');
  }

  /**
   * The kubelet restarts a killed container at once, so "kill and keep down" is SIGSTOP: the process
   * stays, frozen. Unlike a real kill, its connections hang instead of being refused; peers see it
   * only by timeouts, as with a node that lost its network.
   */
  async kill(name: string): Promise<void> {
    const container = await this.mainContainerId(name);
    await this.agents.signal(name, 'STOP');
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
    await this.agents.signal(name, 'KILL');
  }

  private async mainContainerId(name: string): Promise<string | null> {
    const pod = await this.core.readNamespacedPod({ name, namespace: this.namespace });
    return containerIdOf(pod, this.options.system.redis.container.name);
  }

  partition(groups: string[][]): Promise<void> {
    return this.netFaults.partition(groups);
  }

  degrade(target: string, fault: LinkFault, peers?: string[]): Promise<void> {
    return this.netFaults.degrade(target, fault, peers);
  }

  heal(): Promise<void> {
    return this.netFaults.heal();
  }

  private async podIps(): Promise<Map<string, string>> {
    return new Map((await this.pods()).flatMap((p) => (p.ip ? [[p.name, p.ip] as [string, string]] : [])));
  }

  async pause(name: string): Promise<void> {
    await this.agents.signal(name, 'STOP');
  }

  async resume(name: string): Promise<void> {
    await this.agents.signal(name, 'CONT');
  }

  /**
   * All pods gone before any comes back: scale the StatefulSet to 0, wait until no pod is left,
   * scale it back. The PVCs stay; the IPs are the CNI's, so `shuffleIps` cannot be promised here.
   */
  async fullRestart({ shuffleIps = false }: { shuffleIps?: boolean } = {}): Promise<{ pod: string; before: string | null; after: string | null }[]> {
    this.assertUp();
    if (shuffleIps) throw new HarnessError('full restart with shuffled IPs: on Kubernetes the CNI assigns pod IPs, so only the local platform can give pods each other\'s previous IPs');
    const sts = this.options.system.redis.statefulSet;
    const before = await this.pods();
    const scale = (replicas: number) => this.apps.patchNamespacedStatefulSetScale(
      { name: sts.name, namespace: this.namespace, body: { spec: { replicas } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await scale(0);
    await waitUntil('every pod terminated', async () => {
      const left = await this.pods();
      if (left.length > 0) throw new NotYet(`${left.map((p) => p.name).join(', ')} still terminating`);
    }, { timeoutMs: fullStopDeadlineMs(sts), intervalMs: 500 });
    this.held.clear();
    // The forwards named pods that are gone: drop them and their connections; new ones follow.
    for (const f of this.forwards.values()) {
      const forward = await f.catch(() => null);
      if (!forward) continue;
      this.connections.forget('127.0.0.1', forward.port);
      await forward.close().catch(() => undefined);
    }
    this.forwards.clear();
    await scale(sts.replicas);
    await waitUntil('every pod running again', async () => {
      const now = await this.pods();
      if (now.length < sts.replicas || now.some((p) => p.phase !== 'Running' || !p.ip)) throw new NotYet(`${now.filter((p) => p.phase === 'Running').length}/${sts.replicas} running`);
    }, { timeoutMs: this.options.readyTimeoutMs ?? startDeadlineMs(sts), intervalMs: 500 });
    const after = await this.pods();
    return before.map((p) => ({ pod: p.name, before: p.ip, after: after.find((a) => a.name === p.name)?.ip ?? null }));
  }

  async nodes(): Promise<NodeStatus[]> {
    this.assertUp();
    return this.nodeApi.list();
  }

  /**
   * A node's failure, as far as a shared cluster allows: this run's Redis pods on the node are
   * frozen at once (SIGSTOP from the node agent, as `kill` holds a pod) and stay so until
   * `restoreNode` ends them with SIGKILL and the kubelet restarts them in place. The node itself
   * stays up, so nobody else's pods are touched; peers see the pods vanish as from a dead node.
   */
  async crashNode(node: string): Promise<string[]> {
    this.assertUp();
    if (this.lost.has(node)) throw new HarnessError(`${node} is already down`);
    const on = (await this.pods()).filter((p) => p.node === node && p.ip).map((p) => p.name);
    this.lost.set(node, on);
    await Promise.all(on.map((pod) => this.kill(pod)));
    return on;
  }

  async restoreNode(node: string): Promise<void> {
    this.assertUp();
    const pods = this.lost.get(node) ?? [];
    this.lost.delete(node);
    await Promise.all(pods.map((pod) => this.restart(pod)));
  }

  async cordon(node: string): Promise<void> {
    this.assertUp();
    await this.nodeApi.setUnschedulable(node, true);
  }

  async uncordon(node: string): Promise<void> {
    this.assertUp();
    await this.nodeApi.setUnschedulable(node, false);
  }

  /** The eviction subresource; once it is accepted, waits as deletePod does until the old pod is gone. */
  async evict(name: string): Promise<EvictionResult> {
    this.assertUp();
    const before = await this.core.readNamespacedPod({ name, namespace: this.namespace });
    const result = await this.nodeApi.evict(this.namespace, name);
    if (!result.evicted) return result;
    this.held.delete(name);
    await this.untilGone(name, before);
    return result;
  }

  async fillDisk(name: string, options: { path: string; leaveBytes: number }): Promise<{ freeBytes: number; filledBytes: number }> {
    this.assertUp();
    return this.disks.fill(name, options);
  }

  async freeDisk(name: string): Promise<void> {
    this.assertUp();
    await this.disks.free(name);
  }

  async redis(name: string, args: string[], options?: CallOptions): Promise<RedisReply> {
    this.assertUp();
    const forward = await this.forward(name);
    return this.connections.call('127.0.0.1', forward.port, args, options);
  }

  async redisCli(name: string, args: string[], { timeoutMs = 30_000 }: CallOptions = {}): Promise<ExecResult> {
    this.assertUp();
    return execIn(this.exec, this.namespace, name, this.options.system.redis.container.name, ['redis-cli', ...args], timeoutMs);
  }

  async logs(name: string, { tailLines }: { tailLines?: number } = {}): Promise<string> {
    return String(await this.core.readNamespacedPodLog({ name, namespace: this.namespace, ...(tailLines ? { tailLines } : {}) }));
  }

  async deployApp(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<AppEndpoint> {
    this.assertUp();
    return this.app.deploy(options);
  }

  appLogs(options: { tailLines?: number } = {}): Promise<string> {
    return this.app.logs(options);
  }

  down(): Promise<void> {
    this.downPromise ??= this.teardown.runOrThrow('kubernetes');
    return this.downPromise;
  }

  private forward(pod: string): Promise<{ port: number; close(): Promise<void> }> {
    let f = this.forwards.get(pod);
    if (!f) {
      f = forwardPort(this.pf, this.namespace, async () => pod, this.info.clientPort);
      this.forwards.set(pod, f);
    }
    return f;
  }

  private collectArtifacts(): Promise<void> {
    return this.options.artifactsDir ? collectArtifacts(this.core, this.namespace, this.options.artifactsDir) : Promise.resolve();
  }

  private assertUp(): void {
    if (this.downPromise) throw new HarnessError(`the ${this.info.kind} platform is down`);
  }
}
