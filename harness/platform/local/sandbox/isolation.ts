import { readFile } from 'node:fs/promises';
import { HarnessError } from '../../../errors.ts';
import { which, type Tool } from '../../prerequisites.ts';

export type Isolation = 'namespaces' | 'processes';

export const NAMESPACE_TOOLS: Tool[] = [
  { command: 'ip', apt: 'iproute2' },
  { command: 'tc', apt: 'iproute2' },
  { command: 'nft', apt: 'nftables' },
  { command: 'nsenter', apt: 'util-linux' },
  { command: 'unshare', apt: 'util-linux' },
  // delayd.py, the network delay where the kernel has no netem
  { command: 'python3', apt: 'python3' },
];

/** The one line printed when a run falls back: what process mode does not reproduce. */
export const PROCESS_MODE_LIMITS =
  'pods share the host network on loopback (--bind-source-addr) and the host filesystem (mount paths rewritten in the text), pod DNS names resolve only in the app, and no network fault can be injected';

/** Why namespaces mode cannot run here, or null when it can. */
export async function namespacesUnavailable(): Promise<string | null> {
  if (process.platform !== 'linux') return `${process.platform} is not Linux`;
  if (process.getuid?.() !== 0) return 'not running as root';
  const missing: Tool[] = [];
  for (const tool of NAMESPACE_TOOLS) if (!(await which(tool.command))) missing.push(tool);
  if (missing.length) return `${missing.map((t) => t.command).join(', ')} not on PATH (apt-get install ${[...new Set(missing.map((t) => t.apt))].join(' ')})`;
  const filesystems = await readFile('/proc/filesystems', 'utf8').catch(() => '');
  if (!/\toverlay$/m.test(filesystems)) return 'the kernel has no overlay filesystem';
  return null;
}

/**
 * `--isolation`: namespaces where the machine allows it. Asked for explicitly and impossible, it is
 * a harness error (exit 2); by default it falls back, with `note` saying what is lost.
 */
export async function chooseIsolation(requested: Isolation | 'auto'): Promise<{ mode: Isolation; note: string | null }> {
  if (requested === 'processes') return { mode: 'processes', note: null };
  const why = await namespacesUnavailable();
  if (!why) return { mode: 'namespaces', note: null };
  if (requested === 'namespaces') throw new HarnessError(`--isolation namespaces: not possible here: ${why}`);
  return { mode: 'processes', note: `isolation: processes (${why}): ${PROCESS_MODE_LIMITS}` };
}
