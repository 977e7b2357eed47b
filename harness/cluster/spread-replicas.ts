import type { RunningPlatform } from '../platform/types.ts';
import type { ClusterShape } from '../manifests/index.ts';
import { waitForClusterReady } from './readiness.ts';
import { selfEntries, snapshot } from './topology.ts';

/**
 * The annotation that asks for this step, on the Redis StatefulSet: `redis-chaos/bootstrap:
 * spread-replicas`. The walkthrough's `--cluster create` pairs masters and replicas by IP, and
 * every pod has its own IP, so it cannot keep a replica off its master's node; this step, run
 * after it, re-points replicas with `CLUSTER REPLICATE` until none shares its master's node.
 */
export const BOOTSTRAP_ANNOTATION = 'redis-chaos/bootstrap';
export const SPREAD_REPLICAS = 'spread-replicas';

interface Member {
  id: string;
  pod: string;
  node: string;
}

/**
 * Replica id → master id such that every master gets `perMaster` replicas and none is on its
 * master's node, changing as few replicas as possible (each change is a full resync). Null when no
 * such assignment exists (fewer nodes than a shard has members).
 */
export function spreadAssignment(masters: Member[], replicas: (Member & { masterId: string | null })[], perMaster: number): Map<string, string> | null {
  const load = new Map(masters.map((m) => [m.id, 0]));
  const out = new Map<string, string>();
  // Replicas that already sit well keep their master when they can: tried first, and first for themselves.
  const order = [...replicas].sort((a, b) => Number(fits(b, b.masterId)) - Number(fits(a, a.masterId)));
  function fits(r: Member, masterId: string | null): boolean {
    const m = masters.find((x) => x.id === masterId);
    return m !== undefined && m.node !== r.node;
  }
  function place(i: number): boolean {
    if (i === order.length) return true;
    const r = order[i]!;
    const candidates = [...masters].sort((a, b) => Number(b.id === r.masterId) - Number(a.id === r.masterId));
    for (const m of candidates) {
      if (m.node === r.node || load.get(m.id)! >= perMaster) continue;
      load.set(m.id, load.get(m.id)! + 1);
      out.set(r.id, m.id);
      if (place(i + 1)) return true;
      load.set(m.id, load.get(m.id)! - 1);
      out.delete(r.id);
    }
    return false;
  }
  return place(0) ? out : null;
}

/** Re-points the replicas that share their master's node; returns what it changed, or why it could not. */
export async function spreadReplicas(
  platform: RunningPlatform,
  shape: ClusterShape,
  { readyTimeoutMs, signal }: { readyTimeoutMs: number; signal?: AbortSignal },
): Promise<{ moved: string[]; note: string }> {
  const entries = selfEntries(await snapshot(platform));
  if (entries.some((e) => !e.view.node)) return { moved: [], note: 'the platform does not say which node each pod is on: replicas left as created' };
  const member = (e: (typeof entries)[number]) => ({ id: e.self.id, pod: e.view.pod, node: e.view.node! });
  const masters = entries.filter((e) => e.self.role === 'master' && e.self.slots.length > 0).map(member);
  const replicas = entries.filter((e) => e.self.role === 'replica').map((e) => ({ ...member(e), masterId: e.self.masterId }));
  const assignment = spreadAssignment(masters, replicas, shape.replicasPerMaster);
  if (!assignment) return { moved: [], note: `no pairing keeps every replica off its master's node on ${new Set(entries.map((e) => e.view.node)).size} node(s): replicas left as created` };
  const moved: string[] = [];
  for (const r of replicas) {
    const target = assignment.get(r.id)!;
    if (target === r.masterId) continue;
    const m = masters.find((x) => x.id === target)!;
    await platform.redis(r.pod, ['CLUSTER', 'REPLICATE', target], { timeoutMs: 5000, ...(signal ? { signal } : {}) });
    moved.push(`${r.pod}@${r.node} → replica of ${m.pod}@${m.node}`);
  }
  if (moved.length) await waitForClusterReady(platform, shape, { timeoutMs: readyTimeoutMs, ...(signal ? { signal } : {}) });
  return { moved, note: moved.length ? `re-pointed ${moved.join(', ')}` : 'every replica already off its master\'s node' };
}
