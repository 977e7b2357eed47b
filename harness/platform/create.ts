import path from 'node:path';
import type { SystemUnderTest } from '../manifests/index.ts';
import { runDirOf, type HarnessOptions } from '../session/options.ts';
import { LocalPlatform } from './local/local-platform.ts';
import type { Platform } from './types.ts';

/** The one place that knows which adapter a --platform name means. */
export async function createPlatform(options: HarnessOptions, system: SystemUnderTest, log: (line: string) => void = () => undefined): Promise<Platform> {
  const artifactsDir = path.join(runDirOf(options), 'platform');
  const common = { system, runId: options.runId, keep: options.keep, nodeTimeoutOverrideMs: options.nodeTimeoutMs, redisConfig: options.redisConfig };
  switch (options.platform) {
    case 'local':
      return new LocalPlatform(common);
    case 'kubernetes': {
      const { KubernetesPlatform } = await import('./kubernetes/kubernetes-platform.ts');
      return new KubernetesPlatform({ ...common, context: options.context, allowContext: options.allowContext, artifactsDir });
    }
    case 'kind': {
      const { KindPlatform } = await import('./kind/kind-platform.ts');
      return new KindPlatform({ ...common, artifactsDir, log });
    }
  }
}
