import { loadManifests, resolveSystem, type SystemUnderTest } from '../manifests/index.ts';
import { REDIS_TOOLS, requireTools } from '../platform/prerequisites.ts';
import type { HarnessOptions } from '../session/options.ts';

/**
 * What can be checked in a second, before anything starts: the manifests and the tools the
 * platform needs. Each failure is a one-line HarnessError (exit 2) and nothing is left running.
 */
export async function preflight(options: HarnessOptions): Promise<SystemUnderTest> {
  const system = resolveSystem(await loadManifests(options.manifests));
  if (options.platform === 'local') await requireTools(REDIS_TOOLS, 'the local platform');
  if (options.platform === 'kind') {
    const { checkKindPrerequisites } = await import('../platform/kind/prerequisites.ts');
    await checkKindPrerequisites();
  }
  if (options.platform === 'kubernetes') {
    const { checkKubernetesTarget } = await import('../platform/kubernetes/guard.ts');
    await checkKubernetesTarget(options);
  }
  return system;
}
