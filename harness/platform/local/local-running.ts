import { nodesNeeded } from '../nodes-needed.ts';
import { writeHostsFile } from './cluster-dns.ts';
import { Teardown } from '../../util/lifecycle.ts';
import { RUN_MARKER_ENV } from '../../util/run-id.ts';
import { onTerminate } from '../../util/terminate.ts';
import type { AppEndpoint, CallOptions, EvictionResult, ExecResult, LinkFault, NodeStatus, PlatformInfo, PodStatus, RedisReply, RunningPlatform } from '../types.ts';
import type { Isolation } from './sandbox/isolation.ts';
import { PodNetwork } from './sandbox/network.ts';
import type { RunSetup } from './pod-setup.ts';
import { LocalNetFaults } from './sandbox/net-faults.ts';
import type { LoopbackAllocator } from './addresses.ts';
import { NodePool } from './node-pool.ts';
import { RedisConnections } from './redis-connections.ts';
import type { RunCgroups } from './cgroups.ts';
import type { RunDir, RunRecord } from './run-dir.ts';
import type { LocalPlatformOptions } from './local-options.ts';
import type { LocalRun } from './run-state.ts';
import { startStatefulSet } from './statefulset-start.ts';
import { appImage } from './app-bundle.ts';
import { crashPod, deletePod, evictPod, fullRestart, killPod, pausePod, restartPod, resumePod } from './pod-faults.ts';
import { podStatuses } from './pod-status.ts';
import { cordonNode, crashNode, listNodes, restoreNode, uncordonNode } from './node-faults.ts';
import { fillDisk, freeDisk } from './disk-faults.ts';
import { redisCall, redisCli } from './pod-exec.ts';
import { degrade, heal, partition } from './network-faults.ts';
import { podLogs } from './pod-logs.ts';
import { appLogs, deployApp } from './app-pods.ts';

/**
 * A started local platform: the pods of one run, their network, and what can be done to them.
 * It starts the run and tears it down; each call on the pods is answered by the module of its job
 * (pod-faults.ts, network-faults.ts, app-pods.ts, …), given the run's shared state (run-state.ts).
 */
export class LocalRunning implements RunningPlatform {
  readonly info: PlatformInfo;
  private readonly run: LocalRun;
  private readonly killAllSync = () => [...this.run.redisPods, ...this.run.appPods.map((a) => a.pod)].forEach((p) => p.killNow());

  constructor(
    options: LocalPlatformOptions,
    runId: string,
    runDir: RunDir,
    allocator: LoopbackAllocator,
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
    const setup: RunSetup = {
      system: options.system, runId, runDir, allocator, network: null,
      nodeTimeoutOverrideMs: options.nodeTimeoutOverrideMs ?? null, redisConfig: options.redisConfig ?? [], backoff: options.backoff,
      writeHosts: () => this.writeHosts(),
    };
    this.run = {
      options, info: this.info, runDir, setup, redisPods: [], appPods: [],
      nodePool: new NodePool({ nodes: options.nodes ?? nodesNeeded(options.system).count, zones: options.zones, seed: options.seed ?? 1 }, () => this.run.redisPods, redis.statefulSet.template.scheduling),
      connections: new RedisConnections(),
      netFaults: new LocalNetFaults(runId, { PATH: process.env.PATH ?? '/usr/bin:/bin', [RUN_MARKER_ENV]: runId }),
      teardown: new Teardown(),
      downPromise: null, network: null, disks: null,
    };
    const { teardown } = this.run;
    // Last resort for an exit nobody planned (an uncaught exception): no async work runs there.
    process.on('exit', this.killAllSync);
    teardown.defer('exit hook', () => void process.off('exit', this.killAllSync));
    const unregister = onTerminate(() => this.down());
    teardown.defer('signal hook', unregister);
    teardown.defer('run folder', () => (options.keep ? runDir.markKept(record) : runDir.remove()));
    teardown.defer('redis connections', () => this.run.connections.close());
  }

  /**
   * Memory and CPU limits: every container start gets a cgroup of `cgroups`. Called before any pod
   * exists; its teardown runs after every pod is stopped and before the run folder goes.
   */
  enforceLimits(cgroups: RunCgroups): void {
    this.run.setup.cgroups = cgroups;
    this.run.teardown.defer('cgroups', () => cgroups.removeAll());
  }

  /** Namespaces mode: the run's bridge and pod network, removed after every pod is gone. */
  async startNetwork(avoid: Set<string>): Promise<void> {
    this.run.network = await PodNetwork.up(this.info.runId, avoid);
    this.run.setup.network = this.run.network;
    this.record.addressPrefix = this.run.network.prefix;
    await this.run.runDir.create(this.record);
    this.run.teardown.defer('pod network', () => this.run.network?.down());
    // Runs before the network goes: delay daemons stopped, fault tables dropped.
    this.run.teardown.defer('network faults', () => this.run.netFaults.heal(() => false).then(() => undefined));
  }

  /**
   * Starts building the hit counter's image, beside the Redis pods' start: the app is deployed once
   * the cluster exists, and its build (about 0.1 s of CPU) is then done. A failure is the deploy's.
   */
  buildAppImage(): void {
    if (!this.run.options.system.app || this.run.appImage) return;
    const built = appImage(this.run);
    built.catch(() => undefined);
    // Before the run folder goes: a build still writing would leave its file behind.
    this.run.teardown.defer('app image build', () => built.then(() => undefined, () => undefined));
  }

  startStatefulSet(signal?: AbortSignal): Promise<void> {
    return startStatefulSet(this.run, signal);
  }

  fullRestart(options: { shuffleIps?: boolean } = {}): Promise<{ pod: string; before: string | null; after: string | null }[]> {
    return fullRestart(this.run, options);
  }

  pause(name: string): Promise<void> {
    return pausePod(this.run, name);
  }

  resume(name: string): Promise<void> {
    return resumePod(this.run, name);
  }

  deletePod(name: string, options: { gracePeriodSeconds?: number } = {}): Promise<void> {
    return deletePod(this.run, name, options);
  }

  crash(name: string): Promise<void> {
    return crashPod(this.run, name);
  }

  kill(name: string): Promise<void> {
    return killPod(this.run, name);
  }

  restart(name: string): Promise<void> {
    return restartPod(this.run, name);
  }

  evict(name: string): Promise<EvictionResult> {
    return evictPod(this.run, name);
  }

  pods(): Promise<PodStatus[]> {
    return podStatuses(this.run);
  }

  nodes(): Promise<NodeStatus[]> {
    return listNodes(this.run);
  }

  crashNode(name: string): Promise<string[]> {
    return crashNode(this.run, name);
  }

  restoreNode(name: string): Promise<void> {
    return restoreNode(this.run, name);
  }

  cordon(name: string): Promise<void> {
    return cordonNode(this.run, name);
  }

  uncordon(name: string): Promise<void> {
    return uncordonNode(this.run, name);
  }

  fillDisk(name: string, options: { path: string; leaveBytes: number }): Promise<{ freeBytes: number; filledBytes: number }> {
    return fillDisk(this.run, name, options);
  }

  freeDisk(name: string): Promise<void> {
    return freeDisk(this.run, name);
  }

  redis(name: string, args: string[], options?: CallOptions): Promise<RedisReply> {
    return redisCall(this.run, name, args, options);
  }

  partition(groups: string[][]): Promise<void> {
    return partition(this.run, groups);
  }

  degrade(target: string, fault: LinkFault, peers?: string[]): Promise<void> {
    return degrade(this.run, target, fault, peers);
  }

  heal(): Promise<void> {
    return heal(this.run);
  }

  redisCli(name: string, args: string[], options: CallOptions = {}): Promise<ExecResult> {
    return redisCli(this.run, name, args, options);
  }

  logs(name: string, options: { tailLines?: number } = {}): Promise<string> {
    return podLogs(this.run, name, options);
  }

  deployApp(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<AppEndpoint> {
    return deployApp(this.run, options);
  }

  appLogs(options: { tailLines?: number } = {}): Promise<string> {
    return appLogs(this.run, options);
  }

  down(): Promise<void> {
    this.run.downPromise ??= this.run.teardown.runOrThrow('local platform');
    return this.run.downPromise;
  }

  /**
   * Every pod's create writes the hosts files (before its containers start). Each write is whole
   * and synchronous (cluster-dns.ts), reading the pods' addresses as it starts, so the last one
   * written is never older than another: concurrent creates (Parallel pods) cannot leave a stale file.
   * Async only so that a failed write is a rejection like any other step of a pod's start.
   */
  private async writeHosts(): Promise<void> {
    writeHostsFile(this.run.runDir, this.run.options.system, [...this.run.redisPods, ...this.run.appPods.map((a) => a.pod)]);
  }
}
