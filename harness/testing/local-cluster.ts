import path from 'node:path';
import { bootstrapCluster, waitForClusterReady, type Topology } from '../cluster/index.ts';
import { loadManifests, resolveSystem, type SystemUnderTest } from '../manifests/index.ts';
import { LocalPlatform, type LocalPlatformOptions } from '../platform/local/local-platform.ts';
import type { RunningPlatform } from '../platform/types.ts';

export const REPO_MANIFESTS = path.resolve(import.meta.dirname, '../../manifests');

/**
 * Test helper: the repository's manifests' pods on the local platform, up and not bootstrapped, for
 * tests that take the bootstrap's steps themselves.
 */
export async function startLocalPods(options: Partial<LocalPlatformOptions> = {}): Promise<RunningPlatform> {
  const system = options.system ?? resolveSystem(await loadManifests(REPO_MANIFESTS));
  return new LocalPlatform({ ...options, system }).up();
}

/** Test helper: the repository's manifests on the local platform, bootstrapped, with a fast node timeout. */
export async function startLocalCluster(options: Partial<LocalPlatformOptions> = {}): Promise<{
  system: SystemUnderTest;
  platform: RunningPlatform;
  topology: Topology;
  ready: () => Promise<Topology>;
}> {
  const system = options.system ?? resolveSystem(await loadManifests(REPO_MANIFESTS));
  const platform = await startLocalPods({ nodeTimeoutOverrideMs: 2000, backoff: { initialMs: 500, maxMs: 2000, resetAfterMs: 60_000 }, ...options, system });
  try {
    const topology = await bootstrapCluster(platform, system.shape, { readyTimeoutMs: 30_000 });
    const ready = () => waitForClusterReady(platform, system.shape, { timeoutMs: 30_000 });
    return { system, platform, topology, ready };
  } catch (error) {
    await platform.down();
    throw error;
  }
}

export { keyInSlots } from './keys.ts';
