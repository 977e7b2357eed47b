import { appendFile, readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { writeHostsFile } from './cluster-dns.ts';
import { HarnessError } from '../../errors.ts';
import { requireApp, type RedisOverride, type SystemUnderTest } from '../../manifests/index.ts';
import { Teardown } from '../../util/lifecycle.ts';
import { RUN_MARKER_ENV } from '../../util/run-id.ts';
import { onTerminate } from '../../util/terminate.ts';
import { waitUntil, NotYet } from '../../util/wait.ts';
import type { AppEndpoint, CallOptions, EvictionResult, ExecResult, LinkFault, NodeStatus, PlatformInfo, PodStatus, RedisReply, RunningPlatform } from '../types.ts';
import type { Isolation } from './sandbox/isolation.ts';
import { PodNetwork, type PodInterface } from './sandbox/network.ts';
import { isPodReady, livenessSubjects, podContext, type RunSetup } from './pod-setup.ts';
import { LivenessProbes } from './liveness.ts';
import { LocalNetFaults } from './sandbox/net-faults.ts';
import { execArgv } from './sandbox/sandbox.ts';
import type { Backoff } from './container.ts';
import { freePort, type LoopbackAllocator } from './addresses.ts';
import { LocalPod } from './pod.ts';
import { PodDisks } from './disk-fill.ts';
import { StatefulSetController } from './statefulset-controller.ts';
import { NodePool } from './node-pool.ts';
import { evictionVerdict } from './disruption.ts';
import { RedisConnections } from './redis-connections.ts';
import type { RunCgroups } from './cgroups.ts';
import type { RunDir, RunRecord } from './run-dir.ts';

export interface LocalPlatformOptions {
  system: SystemUnderTest;
  runId?: string;
  /** Replaces cluster-node-timeout (appended as --cluster-node-timeout); recorded in the report. */
  nodeTimeoutOverrideMs?: number | null;
  /** --redis-config: appended to every Redis pod's command line, after the node timeout. */
  redisConfig?: RedisOverride[];
  backoff?: Backoff;
  /** Keep the run folder (data, logs) after down(); processes are stopped regardless. */
  keep?: boolean;
  /** Deadline for each pod to become ready at first start. */
  podReadyTimeoutMs?: number;
  /** `--isolation`: pods in their own namespaces (the default where possible) or as bare processes. */
  isolation?: Isolation | 'auto';
  /** `--nodes`, `--zones`: the nodes pods are scheduled onto (3 nodes in 3 zones, as kind's workers). */
  nodes?: number;
  zones?: number;
  /** Seeds the scheduler's choices among equally good nodes, so that a run replays. */
  seed?: number;
}

/** A started local platform: the pods of one run, their network, and what can be done to them. */
export class LocalRunning implements RunningPlatform {
  readonly info: PlatformInfo;
  private readonly redisPods: LocalPod[] = [];
  private controller!: StatefulSetController<LocalPod>;
  private readonly nodePool: NodePool<LocalPod>;
  private readonly appPods: { pod: LocalPod; port: number }[] = [];
  private readonly connections = new RedisConnections();
  private readonly teardown = new Teardown();
  private downPromise: Promise<void> | null = null;
  private network: PodNetwork | null = null;
  private disks: PodDisks | null = null;
  private readonly netFaults: LocalNetFaults;
  private readonly setup: RunSetup;
  private hostsWrites: Promise<void> = Promise.resolve();
  private readonly killAllSync = () => [...this.redisPods, ...this.appPods.map((a) => a.pod)].forEach((p) => p.killNow());

  constructor(
    private readonly options: LocalPlatformOptions,
    runId: string,
    private readonly runDir: RunDir,
    private readonly allocator: LoopbackAllocator,
    redisServerVersion: string,
    private readonly record: RunRecord,
    isolation: { mode: Isolation; note: string | null },
  ) {
    const { redis } = options.system;
    this.info = {
      kind: 'local', runId, redisServerVersion,
      redisImage: redis.container.image,
      manifestNodeTimeoutMs: redis.nodeTimeoutMs,
      nodeTimeoutOverrideMs: options.nodeTimeoutOverrideMs ?? null,
      clientPort: redis.clientPort,
      namespace: null,
      isolation: isolation.mode,
      isolationNote: isolation.note,
    };
    this.setup = {
      system: options.system, runId, runDir, allocator, network: null,
      nodeTimeoutOverrideMs: options.nodeTimeoutOverrideMs ?? null, redisConfig: options.redisConfig ?? [], backoff: options.backoff,
      writeHosts: () => this.writeHosts(),
    };
    this.nodePool = new NodePool({ nodes: options.nodes ?? 3, zones: options.zones ?? options.nodes ?? 3, seed: options.seed ?? 1 }, () => this.redisPods, redis.statefulSet.template.scheduling);
    this.netFaults = new LocalNetFaults(runId, { PATH: process.env.PATH ?? '/usr/bin:/bin', [RUN_MARKER_ENV]: runId });
    // Last resort for an exit nobody planned (an uncaught exception): no async work runs there.
    process.on('exit', this.killAllSync);
    this.teardown.defer('exit hook', () => void process.off('exit', this.killAllSync));
    const unregister = onTerminate(() => this.down());
    this.teardown.defer('signal hook', unregister);
    this.teardown.defer('run folder', () => (options.keep ? runDir.markKept(record) : runDir.remove()));
    this.teardown.defer('redis connections', () => this.connections.close());
  }

  /**
   * Memory and CPU limits: every container start gets a cgroup of `cgroups`. Called before any pod
   * exists; its teardown runs after every pod is stopped and before the run folder goes.
   */
  enforceLimits(cgroups: RunCgroups): void {
    this.setup.cgroups = cgroups;
    this.teardown.defer('cgroups', () => cgroups.removeAll());
  }

  /** Namespaces mode: the run's bridge and pod network, removed after every pod is gone. */
  async startNetwork(avoid: Set<string>): Promise<void> {
    this.network = await PodNetwork.up(this.info.runId, avoid);
    this.setup.network = this.network;
    this.record.addressPrefix = this.network.prefix;
    await this.runDir.create(this.record);
    this.teardown.defer('pod network', () => this.network?.down());
    // Runs before the network goes: delay daemons stopped, fault tables dropped.
    this.teardown.defer('network faults', () => this.netFaults.heal(() => false).then(() => undefined));
  }

  async startStatefulSet(signal?: AbortSignal): Promise<void> {
    const { statefulSet, clientPort, busPort } = this.options.system.redis;
    // Deferred before the pods, so it runs after them: nothing holds a claim when it is unmounted.
    this.disks = await PodDisks.start(this.runDir, statefulSet.volumeClaimTemplates, this.network !== null);
    this.setup.volumes = this.disks.volumes;
    this.teardown.defer('volumes', () => this.disks?.volumes.down());
    this.teardown.defer('redis pods', () => this.stopAll(this.redisPods));
    const ctx = podContext(this.setup, statefulSet.template, statefulSet.source, statefulSet.volumeClaimTemplates.map((t) => t.name), [clientPort, busPort]);
    for (let ordinal = 0; ordinal < statefulSet.replicas; ordinal++) {
      this.redisPods.push(new LocalPod(`${statefulSet.name}-${ordinal}`, ordinal, ctx));
    }
    // Where a person looks when the pod never came back: its log.
    const onError = (pod: LocalPod, error: unknown) => void appendFile(this.runDir.log(pod.name, statefulSet.template.containers[0]?.name ?? 'redis'),
      `=== redis-chaos: the StatefulSet controller could not re-create ${pod.name}: ${error instanceof Error ? error.message : String(error)}\n`).catch(() => undefined);
    // Re-created pods are scheduled anew; one that fits no node waits Pending, as on Kubernetes.
    this.controller = new StatefulSetController(this.redisPods, statefulSet.podManagementPolicy, (pod) => this.isReady(pod),
      (pod) => this.nodePool.bindThen(pod, () => pod.create(), (error) => onError(pod, error)), onError);
    this.teardown.defer('statefulset controller', () => this.controller.stop());
    this.teardown.defer('scheduler', () => this.nodePool.stop());
    await this.createPods(signal);
    // The kubelet's liveness probes, from the first start on (the seed's manifests have none).
    const liveness = new LivenessProbes(() => livenessSubjects(this.setup, this.redisPods, this.appPods));
    liveness.start();
    this.teardown.defer('liveness probes', () => liveness.stop());
  }

  /** The StatefulSet controller's creation: OrderedReady waits for each pod before the next. */
  private async createPods(signal?: AbortSignal, ips: (string | undefined)[] = []): Promise<void> {
    const timeoutMs = this.options.podReadyTimeoutMs ?? 30_000;
    const startAndWait = async (pod: LocalPod, i: number) => {
      if (!this.nodePool.bind(pod)) throw new HarnessError(`${pod.name} stays Pending: ${pod.reason}`);
      await pod.create(ips[i]);
      await waitUntil(`pod ${pod.name} ready`, async () => {
        if (!(await this.isReady(pod))) throw new NotYet(`${pod.name} (${pod.ip ?? 'no IP'}, container ${pod.containers[0]?.state ?? 'none'}) is not ready; log: ${await this.ownLogTail(pod.name, 3)}`);
      }, { timeoutMs, intervalMs: 10, signal });
    };
    if (this.options.system.redis.statefulSet.podManagementPolicy === 'OrderedReady') for (const [i, pod] of this.redisPods.entries()) await startAndWait(pod, i);
    else await Promise.all(this.redisPods.map(startAndWait));
  }

  async fullRestart({ shuffleIps = false }: { shuffleIps?: boolean } = {}): Promise<{ pod: string; before: string | null; after: string | null }[]> {
    this.assertUp();
    const before = this.redisPods.map((p) => p.ip);
    const grace = this.options.system.redis.statefulSet.template.terminationGracePeriodSeconds;
    await Promise.all(this.redisPods.map((p) => p.delete(grace)));
    for (const p of this.redisPods) p.node = null;
    for (const ip of before) if (ip) this.connections.forget(ip, this.info.clientPort);
    // Each pod on the previous IP of the next one: every recorded peer address now names another node.
    const ips = shuffleIps ? before.map((_, i) => before[(i + 1) % before.length] ?? undefined) : [];
    if (!this.downPromise) await this.createPods(undefined, ips);
    return this.redisPods.map((p, i) => ({ pod: p.name, before: before[i] ?? null, after: p.ip }));
  }

  async pause(name: string): Promise<void> {
    this.pod(name).main.pause();
  }

  async resume(name: string): Promise<void> {
    this.pod(name).main.resume();
  }

  async pods(): Promise<PodStatus[]> {
    this.assertUp();
    return Promise.all(this.redisPods.map((pod) => this.status(pod)));
  }

  async deletePod(name: string, { gracePeriodSeconds }: { gracePeriodSeconds?: number } = {}): Promise<void> {
    const pod = this.pod(name);
    const oldIp = pod.ip;
    try {
      await pod.delete(gracePeriodSeconds ?? this.options.system.redis.statefulSet.template.terminationGracePeriodSeconds);
      if (oldIp) this.connections.forget(oldIp, this.info.clientPort);
    } finally {
      // A new pod object: it is scheduled again.
      pod.node = null;
      // The StatefulSet controller re-creates it (same name and PVC, new UID and IP): at once, or
      // under OrderedReady once every lower ordinal is ready.
      if (!this.downPromise) await this.controller.recreate(pod);
    }
  }

  async crash(name: string): Promise<void> {
    this.pod(name).main.signal('SIGKILL');
  }

  async kill(name: string): Promise<void> {
    await this.pod(name).main.hold();
  }

  async restart(name: string): Promise<void> {
    this.pod(name).main.release();
  }

  async nodes(): Promise<NodeStatus[]> {
    this.assertUp();
    return this.nodePool.nodes.map(({ name, zone, labels, ready, unschedulable }) => ({ name, zone, labels: { ...labels }, ready, unschedulable }));
  }

  async crashNode(name: string): Promise<string[]> {
    this.assertUp();
    return this.nodePool.crash(name, (ip) => this.connections.forget(ip, this.info.clientPort));
  }

  async restoreNode(name: string): Promise<void> {
    this.assertUp();
    await this.nodePool.restore(name);
  }

  async cordon(name: string): Promise<void> {
    this.assertUp();
    this.nodePool.node(name).unschedulable = true;
  }

  async uncordon(name: string): Promise<void> {
    this.assertUp();
    this.nodePool.node(name).unschedulable = false;
  }

  /** Refused while the manifests' PodDisruptionBudgets allow no disruption; otherwise a graceful delete. */
  async evict(name: string): Promise<EvictionResult> {
    const pod = this.pod(name);
    const budgets = this.options.system.manifests.objects.filter((o) => o.kind === 'PodDisruptionBudget');
    const pods = await Promise.all(this.redisPods.map(async (p) => ({ labels: p.labels, healthy: await this.isReady(p) })));
    const verdict = evictionVerdict(pod, budgets, pods, this.options.system.redis.statefulSet.replicas);
    if (!verdict.allowed) return { evicted: false, reason: verdict.reason };
    await this.deletePod(name);
    return { evicted: true, reason: '' };
  }

  async fillDisk(name: string, { path, leaveBytes }: { path: string; leaveBytes: number }): Promise<{ freeBytes: number; filledBytes: number }> {
    const pod = this.pod(name);
    if (!this.disks) throw new HarnessError(`fillDisk: ${name} has no volumes yet`);
    return this.disks.fill(name, pod.mounts, path, leaveBytes);
  }

  async freeDisk(name: string): Promise<void> {
    this.assertUp();
    await this.disks?.free(name);
  }

  async redis(name: string, args: string[], options?: CallOptions): Promise<RedisReply> {
    const pod = this.pod(name);
    if (!pod.ip) throw new Error(`pod ${name} has no IP`);
    return this.connections.call(pod.ip, this.info.clientPort, args, options);
  }

  async partition(groups: string[][]): Promise<void> {
    this.requireNetwork('a partition');
    await this.netFaults.partition(groups.map((g) => g.map((name) => this.ifaceOf(name))));
  }

  async degrade(target: string, fault: LinkFault, peers?: string[]): Promise<void> {
    this.requireNetwork('a degraded link');
    const peerIps = (peers ?? this.redisPods.map((p) => p.name).filter((n) => n !== target)).map((n) => this.ifaceOf(n).ip);
    await this.netFaults.degrade(this.ifaceOf(target), fault, peerIps);
  }

  async heal(): Promise<void> {
    const live = new Set(this.redisPods.flatMap((p) => (p.iface ? [p.iface.netns] : [])));
    await this.netFaults.heal((netns) => live.has(netns));
  }

  async redisCli(name: string, args: string[], { timeoutMs = 30_000, signal }: CallOptions = {}): Promise<ExecResult> {
    const pod = this.pod(name);
    if (!pod.ip) throw new Error(`pod ${name} has no IP`);
    const argv = ['redis-cli', '-h', pod.ip, '-p', String(this.info.clientPort), ...args];
    // Namespaces mode: inside the pod, like kubectl exec; process mode: from the host, on loopback.
    const [file, ...rest] = pod.iface && pod.main.pid ? execArgv(pod.main.pid, argv) : argv;
    const result = await execa(file!, rest, {
      env: pod.main.spec.env, extendEnv: false, timeout: timeoutMs, reject: false, stdin: 'ignore',
      ...(signal ? { cancelSignal: signal } : {}),
    });
    if (result.timedOut) throw new Error(`redis-cli ${args.join(' ')} in ${name}: timed out after ${timeoutMs} ms`);
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  async logs(name: string, { tailLines }: { tailLines?: number } = {}): Promise<string> {
    const pod = this.redisPods.find((p) => p.name === name) ?? this.appPods.find((a) => a.pod.name === name)?.pod;
    if (!pod) throw new HarnessError(`no pod named ${name}`);
    return tail(await readFile(this.runDir.log(name, pod.containers[0]?.spec.name ?? 'redis'), 'utf8').catch(() => ''), tailLines);
  }

  async deployApp({ signal, timeoutMs = 30_000 }: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<AppEndpoint> {
    this.assertUp();
    const app = requireApp(this.options.system);
    if (this.appPods.length > 0) return { url: this.appUrl() };
    this.teardown.defer('app pods', () => this.stopAll(this.appPods.map((a) => a.pod)));
    for (let i = 0; i < app.deployment.replicas; i++) {
      // Process mode: a free port on loopback. Namespaces mode: the container's own port on its pod IP.
      const port = this.network ? (app.container.ports[0]?.containerPort ?? 5000) : await freePort();
      const ctx = podContext(this.setup, app.deployment.template, app.deployment.source, [], [], port);
      const pod = new LocalPod(`${app.deployment.name}-${this.info.runId.slice(-4)}${i}`, i, ctx);
      this.appPods.push({ pod, port });
      await pod.create();
    }
    for (const { pod } of this.appPods) {
      await waitUntil(`app pod ${pod.name} ready`, async () => {
        if (!(await this.isReady(pod))) throw new NotYet(`${pod.name} is not ready; log: ${await this.ownLogTail(pod.name, 5)}`);
      }, { timeoutMs, intervalMs: 100, signal });
    }
    // Like a ClusterIP Service with one endpoint per replica; the harness talks to the first.
    return { url: this.appUrl() };
  }

  /**
   * The container's own last lines, without the harness's `=== redis-chaos:` notes: a container
   * that crash-loops writes two of those per restart, which would push out the line that says why.
   */
  private async ownLogTail(name: string, lines: number): Promise<string> {
    return (await this.logs(name)).split('\n').filter((l) => l && !l.startsWith('=== redis-chaos:')).slice(-lines).join('\n').trim();
  }

  async appLogs({ tailLines }: { tailLines?: number } = {}): Promise<string> {
    const first = this.appPods[0];
    return first ? this.logs(first.pod.name, { tailLines }) : '';
  }

  down(): Promise<void> {
    this.downPromise ??= this.teardown.runOrThrow('local platform');
    return this.downPromise;
  }

  private async status(pod: LocalPod): Promise<PodStatus> {
    const main = pod.containers[0];
    return {
      name: pod.name, ordinal: pod.ordinal, ip: pod.ip, incarnation: pod.incarnation,
      phase: pod.phase, restarts: main?.restarts ?? 0, held: main?.isHeld ?? false,
      node: pod.node, zone: this.nodePool.zoneOf(pod.node), reason: pod.reason, lastTermination: main?.lastTermination?.reason ?? null, oomKills: main?.oomKills ?? 0,
      ready: await this.isReady(pod),
    };
  }

  private isReady(pod: LocalPod): Promise<boolean> {
    return isPodReady(this.setup, pod, this.appPods.find((a) => a.pod === pod));
  }

  private pod(name: string): LocalPod {
    this.assertUp();
    const pod = this.redisPods.find((p) => p.name === name);
    if (!pod) throw new HarnessError(`no pod named ${name} (pods: ${this.redisPods.map((p) => p.name).join(', ')})`);
    return pod;
  }

  private appUrl(): string {
    const first = this.appPods[0]!;
    return `http://${this.network ? first.pod.ip : '127.0.0.1'}:${first.port}`;
  }

  private ifaceOf(name: string): PodInterface {
    const iface = this.pod(name).iface;
    if (!iface) throw new HarnessError(`pod ${name} has no network namespace (is it being re-created?)`);
    return iface;
  }

  private requireNetwork(what: string): void {
    this.assertUp();
    if (!this.network) throw new HarnessError(`${what} needs --isolation namespaces (this run's pods are bare processes on loopback, with no network of their own to cut)`);
  }

  private assertUp(): void {
    if (this.downPromise) throw new HarnessError('the local platform is down');
  }

  private async stopAll(pods: LocalPod[]): Promise<void> {
    // Teardown needs no graceful shutdown (Redis 7 would wait up to shutdown-timeout for replicas).
    await Promise.all(pods.map((p) => p.delete(0)));
  }

  /**
   * Every pod's create writes the hosts files (before its containers start). Writes run one after
   * another, each reading the pods' addresses when its turn comes, so the last one written is
   * never older than another: concurrent creates (Parallel pods) cannot leave a stale file.
   */
  private writeHosts(): Promise<void> {
    const next = this.hostsWrites.then(() => writeHostsFile(this.runDir, this.options.system, [...this.redisPods, ...this.appPods.map((a) => a.pod)]));
    this.hostsWrites = next.catch(() => undefined);
    return next;
  }
}

function tail(text: string, lines: number | undefined): string {
  if (lines === undefined) return text;
  return text.split('\n').slice(-lines - 1).join('\n');
}

