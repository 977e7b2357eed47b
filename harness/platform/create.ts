import type { SystemUnderTest } from '../manifests/index.ts';
import type { HarnessOptions } from '../session/options.ts';
import { LocalPlatform } from './local/local-platform.ts';
import type { Platform } from './types.ts';

/** The one place that knows which adapter a --platform name means. */
export async function createPlatform(options: HarnessOptions, system: SystemUnderTest): Promise<Platform> {
  switch (options.platform) {
    case 'local':
      return new LocalPlatform({ system, runId: options.runId, nodeTimeoutOverrideMs: options.nodeTimeoutMs, keep: options.keep });
    case 'kubernetes': {
      const { KubernetesPlatform } = await import('./kubernetes/kubernetes-platform.ts');
      return new KubernetesPlatform({ system, runId: options.runId, context: options.context, allowContext: options.allowContext, keep: options.keep, nodeTimeoutOverrideMs: options.nodeTimeoutMs });
    }
    case 'kind': {
      const { KindPlatform } = await import('./kind/kind-platform.ts');
      return new KindPlatform({ system, runId: options.runId, keep: options.keep, nodeTimeoutOverrideMs: options.nodeTimeoutMs });
    }
  }
}
