import type { NodeEntry, NodeView, SlotRange, Topology } from '../cluster/index.ts';

/** A node as the test describes it; every view of it is derived from this unless overridden. */
export interface FakeNode {
  pod: string;
  id: string;
  ip: string;
  role: 'master' | 'replica';
  masterId: string | null;
  slots: SlotRange[];
  flags?: string[];
  linkUp?: boolean;
  /** INFO persistence `loading`: still reading its data set. */
  loading?: boolean;
}

/** The walkthrough's layout: pods 0–2 masters of the three ranges, 3–5 their replicas. */
export function seedNodes(): FakeNode[] {
  return shapeNodes(3, 1);
}

/**
 * `redis-cli --cluster create`'s layout for any shape: pods 0..masters-1 own equal slot ranges, and
 * the rest follow them round-robin (pod masters + i replicates pod i % masters).
 */
export function shapeNodes(masters: number, replicasPerMaster: number): FakeNode[] {
  // redis-cli's split: a fractional share per master, each range's end rounded.
  const share = 16384 / masters;
  const ranges: SlotRange[] = [];
  for (let j = 0, first = 0; j < masters; j++) {
    const last = j === masters - 1 ? 16383 : Math.max(first, Math.round(j * share + share - 1));
    ranges.push([first, last]);
    first = last + 1;
  }
  const id = (i: number) => (i < 10 ? `${String(i).repeat(8)}${'0'.repeat(32)}` : String(i).repeat(4).padEnd(40, '0'));
  return Array.from({ length: masters * (1 + replicasPerMaster) }, (_, i) => ({
    pod: `redis-cluster-${i}`,
    id: id(i),
    ip: `127.0.0.${i + 1}`,
    role: i < masters ? 'master' as const : 'replica' as const,
    masterId: i < masters ? null : id(i % masters),
    slots: i < masters ? [ranges[i]!] : [],
  }));
}

export interface ViewOverride {
  /** How this view sees other nodes (by pod), e.g. a stale address. */
  sees?: Record<string, Partial<NodeEntry>>;
  clusterState?: string;
  unreachable?: boolean;
  /** The pod's real IP, when it differs from what the node says of itself. */
  podIp?: string;
}

export function topologyOf(nodes: FakeNode[], overrides: Record<string, ViewOverride> = {}, atMs = 0): Topology {
  const views: NodeView[] = nodes.map((me) => {
    const o = overrides[me.pod] ?? {};
    const base = { pod: me.pod, podIp: o.podIp ?? me.ip, incarnation: `${me.pod}-1` };
    if (o.unreachable) return { ...base, reachable: false, error: 'connection refused' };
    const entries: NodeEntry[] = nodes.map((n) => ({
      id: n.id, ip: n.ip, port: 6379, busPort: 16379,
      flags: [...(n === me ? ['myself'] : []), n.role === 'master' ? 'master' : 'slave', ...(n.flags ?? [])],
      myself: n === me, role: n.role, masterId: n.masterId, pingSent: 0, pongRecv: 0, configEpoch: 1,
      linkState: 'connected', slots: n.slots, migrating: [],
      ...(o.sees?.[n.pod] ?? {}),
    }));
    const replication: Record<string, string> = me.role === 'master'
      ? { role: 'master', connected_slaves: '1' }
      : { role: 'slave', master_link_status: me.linkUp === false ? 'down' : 'up', master_sync_in_progress: '0' };
    const info = { cluster_state: o.clusterState ?? 'ok', cluster_slots_assigned: '16384', cluster_slots_ok: '16384', cluster_known_nodes: String(entries.length), cluster_size: '3' };
    return { ...base, reachable: true, nodes: entries, info, replication, persistence: { loading: me.loading ? '1' : '0' } };
  });
  return { atMs, views };
}
