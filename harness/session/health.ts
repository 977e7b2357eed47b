// A session's health and its deadlines, apart from the session's start: a scenario's worker
// checks the cluster before each scenario and waits on these deadlines, and importing them from
// session.ts loaded every platform into it (create-platform.ts), a second of its start, for
// nothing it uses.
import { waitForClusterReady, type Topology } from '../cluster/index.ts';
import type { SystemUnderTest } from '../manifests/index.ts';
import type { RunningPlatform } from '../platform/types.ts';

/** Deadlines for a healthy cluster, derived from the node timeout in force. */
export const readyTimeoutMs = (nodeTimeoutMs: number) => 60_000 + 4 * nodeTimeoutMs;

/**
 * After a fault the platform is already up (no image pulls, no first start): a failover, a
 * rejoin and a full resync after the diskless-sync delay fit in 4 node timeouts and 20 s.
 */
export const recoveryTimeoutMs = (nodeTimeoutMs: number) => 20_000 + 4 * nodeTimeoutMs;

/**
 * Before each scenario: the cluster must meet every readiness condition (with `agreement: false`,
 * each node's own view only), or the scenario is an error.
 */
export function ensureHealthy(platform: RunningPlatform, system: SystemUnderTest, nodeTimeoutMs: number, signal?: AbortSignal, { agreement = true }: { agreement?: boolean } = {}): Promise<Topology> {
  return waitForClusterReady(platform, system.shape, { timeoutMs: readyTimeoutMs(nodeTimeoutMs), agreement, ...(signal ? { signal } : {}) });
}
