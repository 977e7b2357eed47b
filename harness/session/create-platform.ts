import path from 'node:path';
import type { SystemUnderTest } from '../manifests/index.ts';
import { LocalPlatform } from '../platform/local/local-platform.ts';
import { nodesNeeded } from '../platform/nodes-needed.ts';
import type { Platform } from '../platform/types.ts';
import { runDirOf, type HarnessOptions } from './options.ts';

/**
 * The one place that knows which adapter a --platform name means. It lives with the session, not
 * with the platforms: it reads the run's options, which the platforms know nothing of.
 */
export async function createPlatform(
  options: HarnessOptions, system: SystemUnderTest, log: (line: string) => void = () => undefined, scope: SessionScope = { platformRunId: options.runId, artifactsDir: path.join(runDirOf(options), 'platform') },
): Promise<Platform> {
  const { artifactsDir } = scope;
  const common = { system, runId: scope.platformRunId, keep: options.keep, nodeTimeoutOverrideMs: options.nodeTimeoutMs, redisConfig: options.redisConfig };
  switch (options.platform) {
    case 'local': {
      // Without --nodes, the local platform takes as many as kind would create for these manifests
      // (platform/nodes-needed.ts); the session says so when that is not the usual three.
      const needed = options.nodes === null ? nodesNeeded(system) : null;
      if (needed && needed.why !== 'the default') log(`local: ${needed.count} nodes (${needed.why}; --nodes N sets how many)`);
      return new LocalPlatform({ ...common, isolation: options.isolation, nodes: options.nodes ?? undefined, zones: options.zones ?? undefined, seed: options.seed });
    }
    case 'kubernetes': {
      const { KubernetesPlatform } = await import('../platform/kubernetes/kubernetes-platform.ts');
      return new KubernetesPlatform({ ...common, context: options.context, allowContext: options.allowContext, artifactsDir });
    }
    case 'kind': {
      const { KindPlatform } = await import('../platform/kind/kind-platform.ts');
      return new KindPlatform({ ...common, artifactsDir, log });
    }
  }
}

/** Where one session's platform lives: its own run id (marker, folders, namespace) and artifacts folder. */
export interface SessionScope {
  platformRunId: string;
  artifactsDir: string;
}
