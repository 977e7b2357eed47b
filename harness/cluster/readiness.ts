import { podsOf, type ClusterShape } from '../manifests/index.ts';
import type { RunningPlatform } from '../platform/types.ts';
import { waitUntil, NotYet } from '../util/wait.ts';
import { hasFlag } from './nodes.ts';
import { SLOT_COUNT } from './slots.ts';
import { disagreements, selfEntries, snapshot, staleSelfAddresses, type Topology } from './topology.ts';

/**
 * What must hold before any fault is injected, as a list of what does not. Beyond what the
 * walkthrough checks by eye (cluster_state:ok, 16384 slots, 6 nodes, size 3, one replica per
 * master; for any shape, its nodes, masters and replicas), every replica's link must be up with
 * its first sync done: on Redis 7.0.15 a master killed before that is never failed over
 * ("Disconnected from master for longer than allowed"). And no node may still be loading its data set.
 *
 * Every condition is judged from the node's own INFO, never from what peers gossip about it:
 * CLUSTER SHARDS reports an idle replica as `loading` until its gossiped replication offset
 * moves, which can be a minute after the replica's own INFO says it is synced.
 *
 * `agreement` (the default) adds the nodes' views of each other: no node flagged, and every peer's
 * address, role, master and slots as that peer says. A scenario's load needs only each node's own
 * view (every node serves); its first fault needs agreement too. Right after `--cluster create`
 * agreement takes Redis's gossip up to half a node timeout more, since a replica's new role
 * reaches a peer only in the replica's own next ping or pong; the warm-up runs beside that wait
 * (ScenarioRun.warmup) instead of after it.
 *
 * `selfAddress` (with agreement by default) asks that each node's own `myself` address be its pod's
 * IP. It is the node's own view, but one a fresh node learns only from its first peer: the
 * bootstrap's first wait leaves it out, and a recovery (own views, no agreement) keeps it, since a
 * node that still announces an old address is not back (update-node.sh exists to fix that).
 */
export interface ReadinessOptions {
  agreement?: boolean;
  selfAddress?: boolean;
}

export function unmetConditions(t: Topology, shape: ClusterShape, { agreement = true, selfAddress = agreement }: ReadinessOptions = {}): string[] {
  const out: string[] = [];
  const nodes = podsOf(shape);
  for (const view of t.views) {
    if (!view.reachable) {
      out.push(`${view.pod} is unreachable (${view.error})`);
      continue;
    }
    const info = view.info ?? {};
    if (info.cluster_state !== 'ok') out.push(`${view.pod}: cluster_state:${info.cluster_state}`);
    if (Number(info.cluster_slots_assigned) !== SLOT_COUNT) out.push(`${view.pod}: cluster_slots_assigned:${info.cluster_slots_assigned}`);
    if (Number(info.cluster_slots_ok) !== SLOT_COUNT) out.push(`${view.pod}: cluster_slots_ok:${info.cluster_slots_ok}`);
    if (Number(info.cluster_known_nodes) !== nodes) out.push(`${view.pod}: cluster_known_nodes:${info.cluster_known_nodes}, expected ${nodes}`);
    if (Number(info.cluster_size) !== shape.masters) out.push(`${view.pod}: cluster_size:${info.cluster_size}, expected ${shape.masters}`);
    // A flag on a peer is that peer as gossiped: part of the agreement, not of this node's own view.
    if (agreement) {
      for (const n of view.nodes ?? []) {
        if (hasFlag(n, 'fail') || hasFlag(n, 'fail?') || hasFlag(n, 'handshake') || hasFlag(n, 'noaddr')) out.push(`${view.pod} flags ${n.ip}:${n.port} ${n.flags.join(',')}`);
      }
    }
    const persistence = view.persistence ?? {};
    if (persistence.loading !== '0') out.push(`${view.pod}: loading:${persistence.loading ?? '(not reported)'}`);
    if (persistence.async_loading !== undefined && persistence.async_loading !== '0') out.push(`${view.pod}: async_loading:${persistence.async_loading}`);
    const repl = view.replication ?? {};
    if (repl.role === 'slave' && (repl.master_link_status !== 'up' || repl.master_sync_in_progress !== '0')) {
      out.push(`${view.pod}: replica link ${repl.master_link_status}, sync in progress ${repl.master_sync_in_progress}`);
    }
  }
  const selves = selfEntries(t);
  const masters = selves.filter((s) => s.self.role === 'master' && s.self.slots.length > 0);
  if (masters.length !== shape.masters) out.push(`${masters.length} masters with slots, expected ${shape.masters}`);
  // Every replica follows a master with slots, and every such master has one. How they spread may
  // differ from the shape's even split once replica migration (cluster-migration-barrier) moved one
  // to an orphaned master: Redis does not move it back, and the cluster is whole all the same.
  const counts = masters.map((m) => [m.view.pod, selves.filter((s) => s.self.role === 'replica' && s.self.masterId === m.self.id).length] as const);
  const attached = counts.reduce((n, [, c]) => n + c, 0);
  for (const [pod, c] of counts) {
    if (c === 0 || (c !== shape.replicasPerMaster && attached !== shape.masters * shape.replicasPerMaster)) out.push(`master ${pod} has ${c} replicas, expected ${shape.replicasPerMaster}`);
  }
  if (agreement) out.push(...disagreements(t));
  else if (selfAddress) out.push(...staleSelfAddresses(t));
  return out;
}

export async function waitForClusterReady(
  platform: RunningPlatform,
  shape: ClusterShape,
  { timeoutMs, signal, intervalMs = 50, agreement = true, selfAddress = agreement }: { timeoutMs: number; signal?: AbortSignal; intervalMs?: number } & ReadinessOptions,
): Promise<Topology> {
  return waitUntil(agreement ? 'cluster ready' : 'every node serving', async (s) => {
    const t = await snapshot(platform, { signal: s });
    const unmet = unmetConditions(t, shape, { agreement, selfAddress });
    if (unmet.length > 0) throw new NotYet(unmet.slice(0, 4).join('; ') + (unmet.length > 4 ? ` (+${unmet.length - 4} more)` : ''), t);
    return t;
  }, { timeoutMs, intervalMs, signal });
}
