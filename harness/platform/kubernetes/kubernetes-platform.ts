import { runOverrides } from '../../manifests/index.ts';
import type { Platform, RunningPlatform } from '../types.ts';
import { assertOverridesApply } from './apply.ts';
import { assertFaultsAllowed } from './guard.ts';
import { loadTarget } from './kubeconfig.ts';
import { KubernetesRunning, type KubernetesPlatformOptions } from './kubernetes-running.ts';

export type { KubernetesPlatformOptions };

/** Any cluster through @kubernetes/client-node: one namespace per run, server-side apply, real pods. */
export class KubernetesPlatform implements Platform {
  readonly kind: 'kubernetes' | 'kind';
  constructor(private readonly options: KubernetesPlatformOptions) {
    this.kind = options.kind ?? 'kubernetes';
  }

  async up({ signal }: { signal?: AbortSignal } = {}): Promise<RunningPlatform> {
    const target = loadTarget({ kubeconfig: this.options.kubeconfig ?? null, context: this.options.context });
    assertFaultsAllowed(target.context, this.options.allowContext);
    assertOverridesApply(this.options.system, runOverrides(this.options.nodeTimeoutOverrideMs, this.options.redisConfig));
    const running = new KubernetesRunning(this.options, target, this.kind);
    try {
      await running.start(signal);
      return running;
    } catch (error) {
      await running.down().catch(() => undefined);
      throw error;
    }
  }
}
