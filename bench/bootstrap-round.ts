import { createCluster, LocalPlatform, waitForClusterReady, type LocalPlatformOptions, type SystemUnderTest } from '../harness/core.ts';

export interface Round { podsReadyMs: number; clusterReadyMs: number; createMs: number }

/** One cold bootstrap on the local platform: pods ready, `--cluster create`, every replica synced. */
export async function bootstrapRound(system: SystemUnderTest, options: Partial<LocalPlatformOptions> = {}): Promise<Round> {
  const t0 = performance.now();
  const platform = await new LocalPlatform({ ...options, system }).up();
  try {
    const podsReadyMs = performance.now() - t0;
    await createCluster(platform, system.shape, {});
    const createMs = performance.now() - t0 - podsReadyMs;
    await waitForClusterReady(platform, system.shape, { timeoutMs: 60_000 });
    return { podsReadyMs, clusterReadyMs: performance.now() - t0, createMs };
  } finally {
    await platform.down();
  }
}
