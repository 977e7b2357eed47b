import path from 'node:path';
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

/** Where the run's DNS folder is mounted in every container; /etc/hosts links into it. */
const DNS_MOUNT = '/run/redis-chaos';

/**
 * The argv that starts `argv` as a container in its pod's sandbox: the pod's network namespace,
 * and a mount and UTS namespace of its own (see enter.sh). Each step execs the next, so the PID
 * the platform spawns is the container's main process, and its process group is the container.
 */
export function sandboxArgv(spec: SandboxSpec, argv: string[]): string[] {
  return [
    'nsenter', `--net=/run/netns/${spec.iface.netns}`, '--',
    'unshare', '--mount', '--uts', '--propagation', 'private', '--',
    '/bin/sh', ENTER, spec.layerDir, spec.hostname, path.posix.join(DNS_MOUNT, spec.hostsFile), spec.cwd, sandboxFstab(spec), '--', ...argv,
  ];
}

/**
 * The container's mounts as an fstab, in the order they are made: the overlay (the host's root
 * under the tmpfs layer enter.sh mounts on `layerDir`), then what goes on it. Mount points that
 * the host's root lacks are made on the layer (X-mount.mkdir), never on the host.
 */
export function sandboxFstab(spec: Pick<SandboxSpec, 'layerDir' | 'dnsDir' | 'mounts'>): string {
  const root = path.join(spec.layerDir, 'root');
  const at = (mountPath: string) => path.join(root, mountPath);
  const lines: [source: string, target: string, type: string, options: string][] = [
    ['redis-chaos-root', root, 'overlay', `lowerdir=/,upperdir=${path.join(spec.layerDir, 'upper')},workdir=${path.join(spec.layerDir, 'work')}`],
    ['/dev', at('/dev'), 'none', 'rbind'],
    ['proc', at('/proc'), 'proc', 'defaults'],
    // An image's /tmp starts empty; the host's is hidden.
    ['tmp', at('/tmp'), 'tmpfs', 'mode=1777'],
    [spec.dnsDir, at(DNS_MOUNT), 'none', 'bind,ro,X-mount.mkdir'],
    // util-linux makes a read-only bind as the bind, then a read-only remount.
    ...spec.mounts.map((m): [string, string, string, string] => [m.hostPath, at(m.mountPath), 'none', `bind${m.readOnly ? ',ro' : ''},X-mount.mkdir`]),
  ];
  return lines.map((fields) => `${fields.map(fstabField).join(' ')} 0 0`).join('\n');
}

/** fstab(5)'s escapes: a blank, a tab, a newline or a backslash in a field as its octal code. */
export function fstabField(text: string): string {
  return text.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** `kubectl exec`: `argv` run in the namespaces, root and working folder of the container whose main PID is `pid`. */
export function execArgv(pid: number, argv: string[]): string[] {
  return ['nsenter', '-t', String(pid), '-m', '-u', '-n', '-r', '-w', '--', ...argv];
}
