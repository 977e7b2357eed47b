import type { RedisOverride, SystemUnderTest } from '../../manifests/index.ts';
import type { Isolation } from './sandbox/isolation.ts';
import type { Backoff } from './container.ts';

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
  /**
   * `--nodes`, `--zones`: the nodes pods are scheduled onto. By default as many as kind would create
   * for the manifests (platform/nodes-needed.ts: 3 for the seed's), one zone each.
   */
  nodes?: number;
  zones?: number;
  /** Seeds the scheduler's choices among equally good nodes, so that a run replays. */
  seed?: number;
}
