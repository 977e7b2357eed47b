// The project's real Kubernetes node (scripts/k8s-node/k8s-node.sh), as the Kubernetes test
// project uses it: up, its coordinates, down, and what a down must leave behind (nothing).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../..');
const SCRIPT = path.join(REPO, 'scripts', 'k8s-node', 'k8s-node.sh');

export interface NodeInfo {
  id: string;
  kubeconfig: string;
  context: string;
  node: string;
  nodeIp: string;
  logs: string;
}

export function parseStatus(text: string): NodeInfo {
  const kv = new Map(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]));
  const get = (k: string) => {
    const v = kv.get(k);
    if (!v) throw new Error(`k8s-node status has no ${k}: ${text}`);
    return v;
  };
  return { id: get('id'), kubeconfig: get('kubeconfig'), context: get('context'), node: get('node'), nodeIp: get('node_ip'), logs: get('logs') };
}

/** The node that is up, or null. */
export function status(): NodeInfo | null {
  const r = spawnSync('bash', [SCRIPT, 'status'], { encoding: 'utf8', timeout: 30_000 });
  return r.status === 0 ? parseStatus(r.stdout) : null;
}

/** Brings a node up, owned by `owner` (swept by the next up once that process is gone). */
export function up(owner: number): NodeInfo {
  const r = spawnSync('bash', [SCRIPT, 'up', '--owner', String(owner)], { encoding: 'utf8', timeout: 45 * 60_000, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`k8s-node up failed (exit ${r.status})`);
  return parseStatus(r.stdout);
}

export function down(id: string): void {
  execFileSync('bash', [SCRIPT, 'down', id], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 5 * 60_000 });
}

/**
 * down() without blocking the process: vitest's main process runs the global teardown while it
 * still terminates the last worker, and a 20 s synchronous down starved that ("Timeout terminating
 * forks worker"). The signal handlers keep the synchronous one: they exit right after.
 */
export function downAsync(id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, 'down', id], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 5 * 60_000 });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`k8s-node down ${id} failed (${signal ?? `exit ${code}`})`))));
  });
}

/** Whatever a node of this id left on the machine: processes, cgroups, links, tables, files. */
export function leftovers(id: string): string[] {
  const found: string[] = [];
  const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout;
  if (sh('ip -o link show').includes(`rck8s-${id}`)) found.push(`link rck8s-${id}`);
  if (sh('nft list tables').includes(`rck8s_${id}`)) found.push(`nft table rck8s_${id}`);
  for (const h of readdirSync('/sys/fs/cgroup')) {
    for (const c of [`rck8s-${id}`, `rck8s-${id}-sys`]) if (existsSync(path.join('/sys/fs/cgroup', h, c))) found.push(`cgroup ${h}/${c}`);
  }
  const state = path.join(process.env.K8S_NODE_STATE ?? '/var/lib/redis-chaos/k8s-node', id);
  if (existsSync(state)) found.push(`folder ${state}`);
  if (sh('cat /proc/mounts').includes(state)) found.push(`mounts under ${state}`);
  return found;
}
