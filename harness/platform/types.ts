/**
 * The one interface every platform implements and every later part uses. It speaks in
 * Kubernetes terms (pods, restart policy, grace periods) so a scenario reads the same on the
 * local platform, on kind and on a real cluster.
 */

export type PlatformKind = 'local' | 'kubernetes' | 'kind';

export type PodPhase = 'Pending' | 'Running' | 'Terminating' | 'Failed';

export interface PodStatus {
  name: string;
  ordinal: number;
  /** The pod's address; null while it has none (being created or deleted). */
  ip: string | null;
  phase: PodPhase;
  ready: boolean;
  /** Container restarts of this incarnation, as `kubectl get pods` shows them. */
  restarts: number;
  /** Changes whenever the pod is re-created (a Kubernetes pod UID). */
  incarnation: string;
  /** True while the harness holds the main process down (`kill` until `restart`). */
  held: boolean;
  /** The node the pod is bound to (`spec.nodeName`); null while unscheduled. */
  node: string | null;
  /** That node's `topology.kubernetes.io/zone`; null where it has none. */
  zone: string | null;
  /** Why the pod is not running, as the scheduler or kubelet says it (e.g. `Unschedulable: …`); null otherwise. */
  reason: string | null;
  /** Why the main container last terminated (`OOMKilled`, `Error`, …); null if it never did. */
  lastTermination: string | null;
  /**
   * Processes the kernel's OOM killer killed in the pod's containers (this incarnation), the main
   * process or any other (a fork's child); absent where the platform cannot count them (Kubernetes
   * reports only `lastTermination`).
   */
  oomKills?: number;
}

/** A node as `kubectl get nodes` shows it. */
export interface NodeStatus {
  name: string;
  /** `topology.kubernetes.io/zone`; null where the node has none. */
  zone: string | null;
  labels: Record<string, string>;
  /** False while the node is down (crashed, NotReady). */
  ready: boolean;
  /** Cordoned: no new pod is scheduled onto it. */
  unschedulable: boolean;
}

/** What an eviction (the API `kubectl drain` uses) did: a PodDisruptionBudget may refuse it. */
export interface EvictionResult {
  evicted: boolean;
  /** Why it was refused (the API's message); empty when evicted. */
  reason: string;
}

export type RedisReply = string | number | null | RedisReply[];

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface PlatformInfo {
  kind: PlatformKind;
  runId: string;
  /** The image the manifests name, e.g. redis:7.0.15-alpine. */
  redisImage: string;
  /** What actually runs: `redis-server --version` locally, the image's server version on Kubernetes. */
  redisServerVersion: string;
  /** The manifests' cluster-node-timeout. */
  manifestNodeTimeoutMs: number;
  /** The `--node-timeout` override in force, or null. Always recorded in the report. */
  nodeTimeoutOverrideMs: number | null;
  clientPort: number;
  namespace: string | null;
  /** The local platform's isolation mode; null on Kubernetes, where pods are pods. */
  isolation: 'namespaces' | 'processes' | null;
  /** Set when the local platform fell back to process mode: what that mode does not reproduce. */
  isolationNote: string | null;
}

/** netem's parameters for a degraded link. */
export interface LinkFault {
  delayMs?: number;
  jitterMs?: number;
  lossPercent?: number;
}

export interface AppEndpoint {
  /** A base URL the harness can reach, e.g. http://127.0.0.1:41234. */
  url: string;
}

/** A platform that has not started yet: configuration only. */
export interface Platform {
  readonly kind: PlatformKind;
  up(options?: { signal?: AbortSignal }): Promise<RunningPlatform>;
}

/** A started platform. Every method but `down()` throws once it is down. */
export interface RunningPlatform {
  readonly info: PlatformInfo;
  /** The Redis StatefulSet's pods, in ordinal order. */
  pods(): Promise<PodStatus[]>;
  /** Like `kubectl delete pod`: SIGTERM, grace period, SIGKILL, then the StatefulSet re-creates it with a new IP. */
  deletePod(name: string, options?: { gracePeriodSeconds?: number }): Promise<void>;
  /** SIGKILL the main process; the restart policy brings it back in place with the same IP. */
  crash(name: string): Promise<void>;
  /** Kill the main process and keep it down until `restart`. */
  kill(name: string): Promise<void>;
  /** Bring a `kill`ed process back. */
  restart(name: string): Promise<void>;
  /** SIGSTOP the main process: a master that stalls rather than dies. Its connections hang. */
  pause(name: string): Promise<void>;
  /** SIGCONT a paused process. */
  resume(name: string): Promise<void>;
  /**
   * Every Redis pod deleted, all terminated before any is re-created (a node-pool upgrade, or
   * `kubectl delete pods -l …` with OrderedReady re-creation); each comes back with its PVC on a
   * new IP. `shuffleIps`: each pod comes back on another pod's previous IP (the local platform
   * only, where it assigns the IPs). Resolves when every pod is Running again; returns each pod's
   * IP before and after.
   */
  fullRestart(options?: { shuffleIps?: boolean }): Promise<{ pod: string; before: string | null; after: string | null }[]>;
  /**
   * Drops all traffic between Redis pods of different groups, both ways. Pods in no group, the app
   * and the harness are untouched. Throws a HarnessError where the platform cannot cut a network.
   */
  partition(groups: string[][]): Promise<void>;
  /** netem on what `target` sends to `peers` (every other Redis pod when omitted). */
  degrade(target: string, fault: LinkFault, peers?: string[]): Promise<void>;
  /** Undoes every partition and degraded link; a no-op when there are none. */
  heal(): Promise<void>;
  /** The cluster's nodes, in name order. */
  nodes(): Promise<NodeStatus[]>;
  /**
   * The node fails: every Redis pod on it stops at once (SIGKILL where the platform can) and stays
   * down until `restoreNode`. Returns the pods it held. Throws a HarnessError where the platform
   * cannot crash a node.
   */
  crashNode(node: string): Promise<string[]>;
  /** The crashed node returns; its pods come back on it, as the kubelet brings them back after a reboot. */
  restoreNode(node: string): Promise<void>;
  /** `kubectl cordon`: nothing new is scheduled onto the node. */
  cordon(node: string): Promise<void>;
  uncordon(node: string): Promise<void>;
  /**
   * The eviction API: the pod is deleted gracefully unless a PodDisruptionBudget forbids it, and its
   * StatefulSet re-creates it wherever the scheduler places it. Resolves once the old pod is gone.
   */
  evict(pod: string): Promise<EvictionResult>;
  /**
   * Fills the volume mounted at `path` in the pod's main container (a PersistentVolumeClaim) until
   * `leaveBytes` remain, with one file the harness owns. Throws a HarnessError where the volume has
   * no capacity of its own (filling it would fill a shared disk).
   */
  fillDisk(pod: string, options: { path: string; leaveBytes: number }): Promise<{ freeBytes: number; filledBytes: number }>;
  /** Removes what `fillDisk` wrote; a no-op when nothing was. */
  freeDisk(pod: string): Promise<void>;
  /** One Redis command to one pod, e.g. `['CLUSTER', 'NODES']`. */
  redis(name: string, args: string[], options?: CallOptions): Promise<RedisReply>;
  /** `redis-cli` run "inside" the pod, e.g. for `--cluster create`. */
  redisCli(name: string, args: string[], options?: CallOptions): Promise<ExecResult>;
  logs(name: string, options?: { tailLines?: number }): Promise<string>;
  /** Applies and starts the app's Deployment (the hit counter); resolves when it is ready. */
  deployApp(options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<AppEndpoint>;
  appLogs(options?: { tailLines?: number }): Promise<string>;
  /** Idempotent; safe from `finally`, from signal handlers and after a failed start. */
  down(): Promise<void>;
}
