import { hasFlag, selfEntries } from '../cluster/index.ts';
import type { Checker } from './types.ts';

/** At the end: the shape is back (3 masters, each with a replica whose link is up, 6 known nodes) and no node is flagged. */
export const topologyRestoredChecker: Checker = ({ final, shape }) => {
  if (!final) return { valid: 'unknown', message: 'no final topology was taken', details: {} };
  const total = shape.masters * (1 + shape.replicasPerMaster);
  const problems: string[] = [];
  const selves = selfEntries(final);
  const masters = selves.filter((s) => s.self.role === 'master' && s.self.slots.length > 0);
  if (masters.length !== shape.masters) problems.push(`${masters.length} masters with slots, expected ${shape.masters}`);
  const layout: Record<string, string[]> = {};
  for (const m of masters) {
    const linked = selves.filter((s) => s.self.role === 'replica' && s.self.masterId === m.self.id && s.view.replication?.master_link_status === 'up');
    layout[m.view.pod] = linked.map((r) => r.view.pod);
    if (linked.length < shape.replicasPerMaster) problems.push(`master ${m.view.pod} is an orphan: ${linked.length} replicas with link up, expected ${shape.replicasPerMaster}`);
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
  const details = { layout, problems };
  if (problems.length) return { valid: false, message: problems.slice(0, 4).join('; '), details };
  return { valid: true, message: `${masters.length} masters, each with a linked replica; ${total} known nodes; no node flagged`, details };
};
