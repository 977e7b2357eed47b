import path from 'node:path';
import { parseRedisOverride, type RedisOverride } from '../manifests/index.ts';
import type { PlatformKind } from '../platform/types.ts';
import { newRunId } from '../util/run-id.ts';
import { HarnessError } from '../errors.ts';
import { WORKLOADS, type Workload } from '../workload/history.ts';
import { MAX_KEYS } from '../cluster/keys.ts';

/** Everything a run is configured with; flags and their HARNESS_* twins map onto this. */
export interface HarnessOptions {
  platform: PlatformKind;
  manifests: string;
  /** --statefulset NAME: the Redis StatefulSet, where the manifests cannot tell (manifests/discover.ts). Absent or null: found. */
  statefulSet?: string | null;
  /** Empty: every scenario. */
  scenarios: string[];
  seed: number;
  /** --node-timeout: replaces the manifests' cluster-node-timeout; null keeps theirs. */
  nodeTimeoutMs: number | null;
  /** --redis-config KEY=VALUE, in order; cluster-node-timeout is carried by nodeTimeoutMs instead. */
  redisConfig: RedisOverride[];
  reportDir: string;
  /** Scenarios at a time, each on its own cluster; 1 runs them in sequence on one shared cluster. */
  parallel: number;
  /** The workload's cap per scenario in operations per second (--rate); null: closed loop, uncapped. */
  rate: number | null;
  /**
   * --workload: the counter's INCRs, the list workload's appends, or both side by side on every
   * shard. Absent: both, where the run's rate allows (workload/choose.ts), else the counter.
   */
  workload?: Workload;
  /**
   * --wait-replicas N: the app follows each write with WAIT N and acknowledges it only when N
   * replicas did (WAIT_REPLICAS in its Deployment). Absent or null: no WAIT, as the manifests say.
   */
  waitReplicas?: number | null;
  /**
   * --keys: how many counter keys each scenario loads, dealt round-robin over the masters; null or
   * absent: the default, chosen from the topology (cluster/keys.ts chooseKeys).
   */
  keys?: number | null;
  /**
   * --replicas-per-master N: how the StatefulSet's pods split into shards, over the manifests'
   * annotation (manifests/shape.ts). Null or absent: the annotation, else 1.
   */
  replicasPerMaster?: number | null;
  keep: boolean;
  /** --isolation on the local platform; the CLI resolves 'auto' before anything starts. */
  isolation: 'namespaces' | 'processes' | 'auto';
  /**
   * --nodes and --zones: the local platform's nodes. Null: as many as the manifests need, by kind's
   * rule (platform/nodes-needed.ts: 3 for the seed), and one zone per node.
   */
  nodes: number | null;
  zones: number | null;
  runId: string;
  /** --schedule FILE: the fault schedule the random-schedule scenario replays; null draws one from the seed. */
  schedule: string | null;
  /** Kubernetes: the kubeconfig context to use, and the one the user allows faults in. */
  context: string | null;
  allowContext: string | null;
}

/** The environment twins, read by scenarios/global-setup.ts when vitest runs without the CLI. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): HarnessOptions {
  const int = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));
  return {
    platform: (env.HARNESS_PLATFORM ?? 'local') as PlatformKind,
    manifests: path.resolve(env.HARNESS_MANIFESTS ?? 'manifests'),
    statefulSet: env.HARNESS_STATEFULSET || null,
    scenarios: (env.HARNESS_SCENARIOS ?? '').split(',').filter(Boolean),
    seed: int(env.HARNESS_SEED) ?? 1,
    nodeTimeoutMs: int(env.HARNESS_NODE_TIMEOUT),
    redisConfig: splitOverrides(env.HARNESS_REDIS_CONFIG).map((t) => parseRedisOverride(t, 'HARNESS_REDIS_CONFIG')),
    reportDir: path.resolve(env.HARNESS_REPORT_DIR ?? 'reports'),
    parallel: int(env.HARNESS_PARALLEL) ?? 1,
    rate: int(env.HARNESS_RATE),
    workload: workloadOf(env.HARNESS_WORKLOAD, 'HARNESS_WORKLOAD'),
    waitReplicas: int(env.HARNESS_WAIT_REPLICAS),
    keys: keysOf(env.HARNESS_KEYS, 'HARNESS_KEYS'),
    replicasPerMaster: int(env.HARNESS_REPLICAS_PER_MASTER),
    keep: env.HARNESS_KEEP === '1' || env.HARNESS_KEEP === 'true',
    isolation: isolationOf(env.HARNESS_ISOLATION, 'HARNESS_ISOLATION'),
    nodes: int(env.HARNESS_NODES),
    zones: int(env.HARNESS_ZONES),
    runId: env.HARNESS_RUN_ID || newRunId(),
    schedule: env.HARNESS_SCHEDULE ? path.resolve(env.HARNESS_SCHEDULE) : null,
    context: env.HARNESS_CONTEXT || null,
    allowContext: env.HARNESS_ALLOW_CONTEXT || null,
  };
}

export function optionsToEnv(o: HarnessOptions): Record<string, string> {
  return {
    HARNESS_PLATFORM: o.platform,
    HARNESS_MANIFESTS: o.manifests,
    HARNESS_STATEFULSET: o.statefulSet ?? '',
    HARNESS_SCENARIOS: o.scenarios.join(','),
    HARNESS_SEED: String(o.seed),
    HARNESS_NODE_TIMEOUT: o.nodeTimeoutMs === null ? '' : String(o.nodeTimeoutMs),
    HARNESS_REDIS_CONFIG: o.redisConfig.map(({ key, value }) => `${key}=${value}`).join(','),
    HARNESS_REPORT_DIR: o.reportDir,
    HARNESS_PARALLEL: String(o.parallel),
    HARNESS_RATE: o.rate === null ? '' : String(o.rate),
    HARNESS_WORKLOAD: o.workload ?? '',
    HARNESS_WAIT_REPLICAS: o.waitReplicas ? String(o.waitReplicas) : '',
    HARNESS_KEYS: o.keys == null ? '' : String(o.keys),
    HARNESS_REPLICAS_PER_MASTER: o.replicasPerMaster == null ? '' : String(o.replicasPerMaster),
    HARNESS_KEEP: o.keep ? '1' : '',
    HARNESS_ISOLATION: o.isolation,
    HARNESS_NODES: o.nodes == null ? '' : String(o.nodes),
    HARNESS_ZONES: o.zones == null ? '' : String(o.zones),
    HARNESS_RUN_ID: o.runId,
    HARNESS_SCHEDULE: o.schedule ?? '',
    HARNESS_CONTEXT: o.context ?? '',
    HARNESS_ALLOW_CONTEXT: o.allowContext ?? '',
  };
}

export function isolationOf(raw: string | undefined, flag: string): HarnessOptions['isolation'] {
  if (raw === undefined || raw === '' || raw === 'auto') return 'auto';
  if (raw === 'namespaces' || raw === 'processes') return raw;
  throw new HarnessError(`${flag} ${raw}: valid: namespaces, processes (the default is namespaces where the machine allows it)`);
}

export function workloadOf(raw: string | undefined, flag: string): Workload | undefined {
  if (raw === undefined || raw === '') return undefined;
  if ((WORKLOADS as string[]).includes(raw)) return raw as Workload;
  throw new HarnessError(`${flag} ${raw}: valid: ${WORKLOADS.join(', ')} (the default is both where the rate allows, else counter)`);
}

/** --keys N: a whole number from 1 to MAX_KEYS; unset or empty: the default choice. */
export function keysOf(raw: string | undefined, flag: string): number | null {
  if (raw === undefined || raw === '') return null;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1 || n > MAX_KEYS) {
    throw new HarnessError(`${flag} ${raw}: expected a whole number of keys from 1 to ${MAX_KEYS} (unset: at least 8 a master, every slot range touched)`);
  }
  return n;
}

export const runDirOf = (o: Pick<HarnessOptions, 'reportDir' | 'runId'>) => path.join(o.reportDir, o.runId);

/** HARNESS_REDIS_CONFIG holds KEY=VALUE entries separated by commas. */
export const splitOverrides = (raw: string | undefined): string[] => (raw ?? '').split(',').map((t) => t.trim()).filter(Boolean);


/** The Redis flags a run was given, for its header line: `, --node-timeout 3000, --redis-config k=v`. */
export function redisFlagsText(o: Pick<HarnessOptions, 'nodeTimeoutMs' | 'redisConfig' | 'waitReplicas'>): string {
  const parts = [
    ...(o.nodeTimeoutMs === null ? [] : [`--node-timeout ${o.nodeTimeoutMs}`]),
    ...o.redisConfig.map(({ key, value }) => `--redis-config ${key}=${value}`),
    ...(o.waitReplicas ? [`--wait-replicas ${o.waitReplicas}`] : []),
  ];
  return parts.map((p) => `, ${p}`).join('');
}

/**
 * WAIT's own timeout in the app, under --wait-replicas. Below the app's 800 ms request budget
 * (REQUEST_TIMEOUT_MS), which is below the harness clients' 1 s: a WAIT that times out is then still
 * answered as a write with fewer acks than asked (info, with the count), not cut off as a timeout,
 * and 300 ms remain for the write itself and its routing. Long enough for a replica's ack on a
 * loaded 2-core machine, where a healthy one takes well under 10 ms.
 */
export const WAIT_TIMEOUT_MS = 500;

/** What the run's flags set in the app's Deployment, over the manifests' own env. */
export function appEnvOf(options: Pick<HarnessOptions, 'waitReplicas'>): Record<string, string> {
  return options.waitReplicas ? { WAIT_REPLICAS: String(options.waitReplicas), WAIT_TIMEOUT_MS: String(WAIT_TIMEOUT_MS) } : {};
}
