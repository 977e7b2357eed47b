import { fileURLToPath } from 'node:url';
import type { PodInterface } from './network.ts';

const ENTER = fileURLToPath(new URL('./enter.sh', import.meta.url));

export interface SandboxMount {
  hostPath: string;
  mountPath: string;
  readOnly: boolean;
}

export interface SandboxSpec {
  iface: PodInterface;
  /** An empty folder of the pod's where the container's tmpfs layer is mounted (in its own namespace only). */
  layerDir: string;
  hostname: string;
  /** The run's DNS folder, mounted read-only at /run/redis-chaos; `hostsFile` is this pod's file in it. */
  dnsDir: string;
  hostsFile: string;
  cwd: string;
  mounts: SandboxMount[];
}

/**
 * The argv that starts `argv` as a container in its pod's sandbox: the pod's network namespace,
 * and a mount and UTS namespace of its own (see enter.sh). Each step execs the next, so the PID
 * the platform spawns is the container's main process, and its process group is the container.
 */
export function sandboxArgv(spec: SandboxSpec, argv: string[]): string[] {
  const mounts = spec.mounts.map((m) => `${m.readOnly ? 'ro' : 'rw'}:${m.hostPath}:${m.mountPath}`);
  return [
    'nsenter', `--net=/run/netns/${spec.iface.netns}`, '--',
    'unshare', '--mount', '--uts', '--propagation', 'private', '--',
    '/bin/sh', ENTER, spec.layerDir, spec.hostname, spec.dnsDir, spec.hostsFile, spec.cwd, ...mounts, '--', ...argv,
  ];
}

/** `kubectl exec`: `argv` run in the namespaces, root and working folder of the container whose main PID is `pid`. */
export function execArgv(pid: number, argv: string[]): string[] {
  return ['nsenter', '-t', String(pid), '-m', '-u', '-n', '-r', '-w', '--', ...argv];
}
