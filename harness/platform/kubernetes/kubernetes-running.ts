import { AppsV1Api, CoreV1Api, Exec, KubernetesObjectApi, PolicyApi, PortForward, type V1StatefulSet } from '@kubernetes/client-node';
import { HarnessError } from '../../errors.ts';
import { runOverrides, type RedisOverride, type SystemUnderTest } from '../../manifests/index.ts';
import { Teardown } from '../../util/lifecycle.ts';
import { onTerminate } from '../../util/terminate.ts';
import type { AppEndpoint, CallOptions, EvictionResult, ExecResult, LinkFault, NodeStatus, PlatformInfo, PodStatus, RedisReply, RunningPlatform } from '../types.ts';
import { faultTable } from '../net-rules.ts';
import { applyDocuments, withRedisOverrides } from './apply.ts';
import { KubernetesApp } from './app-deployment.ts';
import { collectArtifacts } from './artifacts.ts';
import { startDeadlineMs } from './deadlines.ts';
import { KubernetesDisks } from './disk-fill.ts';
import { documentsFor } from './documents.ts';
import type { Target } from './kubeconfig.ts';
import { LABELS, selector } from './labels.ts';
import { KubernetesNetFaults } from './net-faults.ts';
import { NodeAgents } from './node-agent.ts';
import { KubernetesNodeFaults } from './node-faults.ts';
import { KubernetesNodes } from './nodes.ts';
import { KubernetesPodFaults } from './pod-faults.ts';
import { ordinalOf, podStatusOf } from './pod-status.ts';
import { RedisForwards } from './redis-forwards.ts';
import { execIn } from './streams.ts';
import { diagnosePods, watchUntil } from './waits.ts';

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
  // The platform's parts, each in a file of its own. The methods below hand over to them; the check
  // that the platform is up (assertUp) stays here, with the state it reads.
  private readonly redisForwards: RedisForwards;
  private readonly podFaults: KubernetesPodFaults;
  private readonly nodeFaults: KubernetesNodeFaults;
  private readonly netFaults: KubernetesNetFaults;
  private readonly disks: KubernetesDisks;
  private readonly app: KubernetesApp;
  private readonly teardown = new Teardown();
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
    this.redisForwards = new RedisForwards(this.pf, this.namespace, options.system.redis.clientPort);
    this.disks = new KubernetesDisks(this.exec, this.namespace, options.system);
    this.agents = new NodeAgents(this.core, this.exec, this.namespace, options.runId, options.system.redis.container.name);
    this.podFaults = new KubernetesPodFaults({
      core: this.core, apps: this.apps, agents: this.agents, nodes: this.nodeApi, namespace: this.namespace, system: options.system,
      readyTimeoutMs: options.readyTimeoutMs, pods: () => this.pods(), dropForwards: () => this.redisForwards.drop(),
    });
    this.nodeFaults = new KubernetesNodeFaults({ pods: () => this.pods(), faults: this.podFaults });
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
    this.teardown.defer('port-forwards', () => this.redisForwards.close());
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
    return pods.map((p, i) => podStatusOf(p, { container, held: this.podFaults.isHeld(p.metadata!.name!), zone: zones[i] ?? null }));
  }

  async deletePod(name: string, options: { gracePeriodSeconds?: number } = {}): Promise<void> {
    this.assertUp();
    await this.podFaults.deletePod(name, options);
  }

  crash(name: string): Promise<void> {
    return this.podFaults.crash(name);
  }

  kill(name: string): Promise<void> {
    return this.podFaults.kill(name);
  }

  restart(name: string): Promise<void> {
    return this.podFaults.restart(name);
  }

  pause(name: string): Promise<void> {
    return this.podFaults.pause(name);
  }

  resume(name: string): Promise<void> {
    return this.podFaults.resume(name);
  }

  async fullRestart(options: { shuffleIps?: boolean } = {}): Promise<{ pod: string; before: string | null; after: string | null }[]> {
    this.assertUp();
    return this.podFaults.fullRestart(options);
  }

  async evict(name: string): Promise<EvictionResult> {
    this.assertUp();
    return this.podFaults.evict(name);
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

  async nodes(): Promise<NodeStatus[]> {
    this.assertUp();
    return this.nodeApi.list();
  }

  async crashNode(node: string): Promise<string[]> {
    this.assertUp();
    return this.nodeFaults.crashNode(node);
  }

  async restoreNode(node: string): Promise<void> {
    this.assertUp();
    await this.nodeFaults.restoreNode(node);
  }

  async cordon(node: string): Promise<void> {
    this.assertUp();
    await this.nodeApi.setUnschedulable(node, true);
  }

  async uncordon(node: string): Promise<void> {
    this.assertUp();
    await this.nodeApi.setUnschedulable(node, false);
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
    return this.redisForwards.call(name, args, options);
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

  private collectArtifacts(): Promise<void> {
    return this.options.artifactsDir ? collectArtifacts(this.core, this.namespace, this.options.artifactsDir) : Promise.resolve();
  }

  private assertUp(): void {
    if (this.downPromise) throw new HarnessError(`the ${this.info.kind} platform is down`);
  }
}
