import { hasFlag, selfEntries } from '../cluster/index.ts';
import type { Topology } from '../cluster/index.ts';
import { plural, podsOf, replicasText } from '../manifests/index.ts';
import { checker } from './types.ts';

/**
 * At the end: the shape is back (the masters, each with its replicas' links up, every node known)
 * and no node is flagged. Replicas that now follow another shard's master (replica migration,
 * bounded by cluster-migration-barrier) are named, not failed: Redis moves them by design.
 */
export const topologyRestoredChecker = checker(({ before, final, shape }) => {
  if (!final) return { valid: 'unknown', message: 'no final topology was taken', details: {} };
  const total = podsOf(shape);
  const problems: string[] = [];
  const selves = selfEntries(final);
  const masters = selves.filter((s) => s.self.role === 'master' && s.self.slots.length > 0);
  if (masters.length !== shape.masters) problems.push(`${masters.length} masters with slots, expected ${shape.masters}`);
  const layout: Record<string, string[]> = {};
  for (const m of masters) {
    layout[m.view.pod] = selves.filter((s) => s.self.role === 'replica' && s.self.masterId === m.self.id && s.view.replication?.master_link_status === 'up').map((r) => r.view.pod);
  }
  const migrations = replicaMigrations(before, final);
  const counts = Object.values(layout).map((r) => r.length);
  // Replica migration (cluster-migration-barrier) may leave one master with a replica more and
  // another with one less, every replica linked: Redis protecting an orphan, not a lost replica.
  const rebalanced = migrations.length > 0 && counts.every((n) => n >= 1) && counts.reduce((a, b) => a + b, 0) === shape.masters * shape.replicasPerMaster;
  for (const [pod, linked] of Object.entries(layout)) {
    if (linked.length < shape.replicasPerMaster && !rebalanced) {
      problems.push(`master ${pod} ${linked.length === 0 ? 'is an orphan' : 'is short of replicas'}: ${replicasText(linked.length)} with link up, expected ${shape.replicasPerMaster}`);
    }
  }
  for (const v of final.views) {
    if (!v.reachable) {
      problems.push(`${v.pod} unreachable`);
      continue;
    }
    if (Number(v.info?.cluster_known_nodes) !== total) problems.push(`${v.pod} knows ${v.info?.cluster_known_nodes} nodes, expected ${total}`);
    for (const n of v.nodes ?? []) {
      for (const flag of ['fail', 'fail?', 'noaddr', 'handshake'] as const) {
        if (hasFlag(n, flag)) problems.push(`${v.pod} flags ${n.id.slice(0, 8)} (${n.ip}:${n.port}) ${flag}`);
      }
    }
  }
  const moved = migrations.length ? `; replica migration: ${migrations.map((m) => `${m.pod} from ${m.fromShard} to ${m.toShard}`).join(', ')}` : '';
  const details = { layout, problems, migrations };
  if (problems.length) return { valid: false, message: problems.slice(0, 4).join('; ') + moved, details };
  const each = counts.every((n) => n === shape.replicasPerMaster)
    ? `each with ${shape.replicasPerMaster} linked ${plural(shape.replicasPerMaster, 'replica')}`
    : `with ${counts.join(', ')} linked replicas (${shape.masters * shape.replicasPerMaster} in all, as the shape has)`;
  return { valid: true, message: `${masters.length} masters, ${each}; ${total} known nodes; no node flagged${moved}`, details };
});

/**
 * Replicas whose shard (named by its first slot range) differs between two topologies. A replica
 * that was master in either is a failover, not a migration, and is left out.
 */
export function replicaMigrations(before: Topology, after: Topology): { pod: string; fromShard: string; toShard: string }[] {
  const shardOf = (t: Topology) => {
    const selves = selfEntries(t);
    const range = new Map(selves.filter((s) => s.self.role === 'master' && s.self.slots.length).map((s) => [s.self.id, `${s.self.slots[0]![0]}-${s.self.slots[0]![1]}`]));
    return new Map(selves.filter((s) => s.self.role === 'replica' && s.self.masterId && range.has(s.self.masterId)).map((s) => [s.self.id, { pod: s.view.pod, shard: range.get(s.self.masterId!)! }]));
  };
  const was = shardOf(before);
  return [...shardOf(after)].flatMap(([id, now]) => {
    const then = was.get(id);
    return then && then.shard !== now.shard ? [{ pod: now.pod, fromShard: then.shard, toShard: now.shard }] : [];
  });
}
