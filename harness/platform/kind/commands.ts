import { fileURLToPath } from 'node:url';

/**
 * The command lines the kind platform runs, as argv arrays for execa (never a shell string), so
 * tests can assert them exactly on a machine without kind or Docker.
 */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const APP_IMAGE = 'redis-chaos/hit-counter:dev';

export const clusterName = (runId: string) => `redis-chaos-${runId}`;
export const contextName = (runId: string) => `kind-${clusterName(runId)}`;

export type Command = { file: string; args: string[] };

export const kind = {
  version: (): Command => ({ file: 'kind', args: ['version'] }),
  /** `config`: the run's kind config (workers.ts), written into its run folder. */
  create: (runId: string, kubeconfig: string, config: string): Command => ({
    file: 'kind', args: ['create', 'cluster', '--name', clusterName(runId), '--config', config, '--kubeconfig', kubeconfig, '--wait', '180s'],
  }),
  delete: (name: string): Command => ({ file: 'kind', args: ['delete', 'cluster', '--name', name] }),
  list: (): Command => ({ file: 'kind', args: ['get', 'clusters'] }),
  load: (runId: string, image = APP_IMAGE): Command => ({ file: 'kind', args: ['load', 'docker-image', image, '--name', clusterName(runId)] }),
  nodes: (runId: string): Command => ({ file: 'kind', args: ['get', 'nodes', '--name', clusterName(runId)] }),
};

export const docker = {
  info: (): Command => ({ file: 'docker', args: ['info', '--format', '{{.ServerVersion}}'] }),
  build: (image = APP_IMAGE): Command => ({ file: 'docker', args: ['build', '-f', 'app/hit-counter/Dockerfile', '-t', image, '.'] }),
  stop: (node: string): Command => ({ file: 'docker', args: ['stop', node] }),
  start: (node: string): Command => ({ file: 'docker', args: ['start', node] }),
};

export const kubectl = {
  version: (): Command => ({ file: 'kubectl', args: ['version', '--client', '--output=json'] }),
};
