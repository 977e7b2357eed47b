import { HarnessError } from '../../errors.ts';
import { RUN_ID_PATTERN } from '../../util/run-id.ts';
import { loadTarget } from './kubeconfig.ts';

/** kind names a cluster's context kind-<name>; the harness names its clusters redis-chaos-<runId>. */
export function isHarnessKindContext(context: string): boolean {
  const m = /^kind-redis-chaos-(.+)$/.exec(context);
  return m !== null && RUN_ID_PATTERN.test(m[1]!);
}

/**
 * Deleting pods in the wrong cluster is the worst thing this tool can do. Faults are allowed only
 * in a kind cluster the harness created, or in the one context the user names with --allow-context.
 */
export function assertFaultsAllowed(context: string, allowContext: string | null): void {
  if (isHarnessKindContext(context)) return;
  if (allowContext === context) return;
  const hint = allowContext ? ` (--allow-context names "${allowContext}", not "${context}")` : '';
  throw new HarnessError(`refusing to inject faults into kubeconfig context "${context}": it is not a kind cluster redis-chaos created${hint}; pass --allow-context ${context} if this cluster is meant for chaos`);
}

/** The preflight for --platform kubernetes: resolve the context and apply the guard, sending nothing. */
export async function checkKubernetesTarget(options: { context: string | null; allowContext: string | null }, kubeconfig?: string): Promise<string> {
  const { context } = loadTarget({ kubeconfig: kubeconfig ?? null, context: options.context });
  assertFaultsAllowed(context, options.allowContext);
  return context;
}
