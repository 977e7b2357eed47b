import { KubeConfig } from '@kubernetes/client-node';
import { HarnessError } from '../../errors.ts';

export interface Target {
  kc: KubeConfig;
  context: string;
  server: string;
}

/**
 * Reads the kubeconfig (KUBECONFIG or ~/.kube/config, or the given file) and selects a context,
 * without sending any request: the guard decides before anything touches a cluster.
 */
export function loadTarget({ kubeconfig, context }: { kubeconfig?: string | null; context?: string | null }): Target {
  const kc = new KubeConfig();
  try {
    if (kubeconfig) kc.loadFromFile(kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    throw new HarnessError(`cannot read the kubeconfig${kubeconfig ? ` ${kubeconfig}` : ''}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const name = context ?? kc.getCurrentContext();
  if (!name || !kc.getContextObject(name)) {
    const known = kc.getContexts().map((c) => c.name);
    throw new HarnessError(`--context ${name || '(none)'}: no such kubeconfig context; known: ${known.join(', ') || 'none'}`);
  }
  kc.setCurrentContext(name);
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new HarnessError(`kubeconfig context ${name} has no cluster server`);
  return { kc, context: name, server };
}
