import type { PodStatus, RunningPlatform } from '../platform/types.ts';
import { parseClusterNodes, parseInfo, type NodeEntry } from './nodes.ts';
import { formatRanges, SLOT_COUNT, toRanges, type SlotRange } from './slots.ts';

/** One node's own view of the cluster at one moment; unreachable nodes say so. */
export interface NodeView {
  pod: string;
  podIp: string | null;
  incarnation: string;
  /** The node and zone the pod is on; absent in recordings made before the platform knew nodes. */
  node?: string | null;
  zone?: string | null;
  reachable: boolean;
  error?: string;
  /** CLUSTER INFO. */
  info?: Record<string, string>;
  /** INFO replication: role, master_link_status, master_sync_in_progress, … */
  replication?: Record<string, string>;
  nodes?: NodeEntry[];
  /** INFO persistence: `loading` is 1 while the node still reads its AOF or RDB. */
  persistence?: Record<string, string>;
}

/** Every node's view at (about) one moment. This is what topology.jsonl holds, one per line. */
export interface Topology {
  atMs: number;
  views: NodeView[];
}

/**
 * Asks every pod for CLUSTER NODES, CLUSTER INFO and INFO replication + persistence, concurrently
 * and bounded. Each node speaks for itself here; nothing is taken from gossip about it.
 */
export async function snapshot(
  platform: RunningPlatform,
  { timeoutMs = 1000, signal, pods }: { timeoutMs?: number; signal?: AbortSignal; pods?: PodStatus[] } = {},
): Promise<Topology> {
  const atMs = Date.now();
  const list = pods ?? (await platform.pods());
  const views = await Promise.all(list.map((pod) => viewOf(platform, pod, timeoutMs, signal)));
  return { atMs, views };
}

/**
 * Every node's own view, a node that did not answer within `timeoutMs` asked again (two more tries
 * at 2 s) unless it is down on purpose: held, with no IP, or in `skip` (paused by the run). The
 * verdict's final topology, each fault's record of what its target was and a scenario's targets
 * all need a topology that one late reply on a busy machine cannot spoil.
 */
export async function answeredSnapshot(
  platform: RunningPlatform,
  { timeoutMs, skip }: { timeoutMs?: number; skip?: Set<string> } = {},
): Promise<Topology> {
  const t = await snapshot(platform, timeoutMs === undefined ? {} : { timeoutMs });
  return reaskUnanswered(platform, t, skip ? { skip } : {});
}

/**
 * Asks again, up to `attempts` times with a longer bound, each node that did not answer `t`,
 * unless it is down on purpose (held, no IP, or in `skip`): one late reply on a busy machine must
 * not make a healthy node look unreachable to a checker. Replaces those views in `t`.
 */
async function reaskUnanswered(
  platform: RunningPlatform, t: Topology,
  { attempts = 2, timeoutMs = 2000, skip = new Set<string>() }: { attempts?: number; timeoutMs?: number; skip?: Set<string> } = {},
): Promise<Topology> {
  // All at once: a verdict with several nodes down must not wait for each in turn.
  await Promise.all(t.views.map(async ({ pod }) => {
    for (let attempt = 0; attempt < attempts; attempt++) {
      const i = t.views.findIndex((v) => v.pod === pod);
      const view = t.views[i];
      if (!view || view.reachable || view.error === 'held down' || view.error === 'no IP' || skip.has(pod)) break;
      const status = (await platform.pods()).filter((p) => p.name === pod);
      const again = await snapshot(platform, { pods: status, timeoutMs });
      if (again.views[0]) t.views[i] = again.views[0];
    }
  }));
  return t;
}

async function viewOf(platform: RunningPlatform, pod: PodStatus, timeoutMs: number, signal?: AbortSignal): Promise<NodeView> {
  const base = { pod: pod.name, podIp: pod.ip, incarnation: pod.incarnation, node: pod.node ?? null, zone: pod.zone ?? null };
  if (!pod.ip || pod.held) return { ...base, reachable: false, error: pod.held ? 'held down' : 'no IP' };
  try {
    const opts = { timeoutMs, ...(signal ? { signal } : {}) };
    // Redis 7 answers several INFO sections in one reply.
    const [nodes, info, server] = await Promise.all([
      platform.redis(pod.name, ['CLUSTER', 'NODES'], opts),
      platform.redis(pod.name, ['CLUSTER', 'INFO'], opts),
      platform.redis(pod.name, ['INFO', 'replication', 'persistence'], opts),
    ]);
    const sections = parseInfo(String(server));
    return {
      ...base, reachable: true, nodes: parseClusterNodes(String(nodes)),
      info: pick(parseInfo(String(info)), INFO_KEYS), replication: pick(sections, REPLICATION_KEYS), persistence: pick(sections, PERSISTENCE_KEYS),
    };
  } catch (error) {
    return { ...base, reachable: false, error: error instanceof Error ? error.message : String(error) };
  }
}

// What the checkers and the report read; the rest of INFO would only bloat topology.jsonl.
const INFO_KEYS = ['cluster_state', 'cluster_slots_assigned', 'cluster_slots_ok', 'cluster_slots_pfail', 'cluster_slots_fail', 'cluster_known_nodes', 'cluster_size', 'cluster_current_epoch', 'cluster_my_epoch'];
const REPLICATION_KEYS = ['role', 'master_host', 'master_port', 'master_link_status', 'master_sync_in_progress', 'master_link_down_since_seconds', 'connected_slaves', 'master_repl_offset'];
const PERSISTENCE_KEYS = ['loading', 'async_loading', 'aof_enabled'];

function pick(all: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.flatMap((k) => (all[k] === undefined ? [] : [[k, all[k]]])));
}

export interface SelfEntry {
  view: NodeView;
  self: NodeEntry;
}

/** Each reachable node's entry for itself: the authority on its own role and slots. */
export function selfEntries(t: Topology): SelfEntry[] {
  return t.views.flatMap((view) => {
    const self = view.nodes?.find((n) => n.myself);
    return view.reachable && self ? [{ view, self }] : [];
  });
}

export function podOfNode(t: Topology, nodeId: string): string | null {
  return selfEntries(t).find((e) => e.self.id === nodeId)?.view.pod ?? null;
}

/** Per slot, the reachable masters that claim it for themselves. */
export function slotClaims(t: Topology): string[][] {
  const claims: string[][] = Array.from({ length: SLOT_COUNT }, () => []);
  for (const { self } of selfEntries(t)) {
    if (self.role !== 'master') continue;
    for (const [from, to] of self.slots) for (let s = from; s <= to; s++) claims[s]!.push(self.id);
  }
  return claims;
}

export interface Coverage {
  covered: number;
  uncovered: SlotRange[];
  /** Slots claimed by more than one master, with the claimants. */
  contested: { slots: SlotRange; nodes: string[] }[];
}

/** Which slots are served: claimed by exactly one reachable master. */
export function coverage(t: Topology, claims: string[][] = slotClaims(t)): Coverage {
  const uncovered = toRanges(claims.flatMap((c, s) => (c.length === 0 ? [s] : [])));
  const contestedSlots = claims.flatMap((c, s) => (c.length > 1 ? [s] : []));
  const contested = toRanges(contestedSlots).map((range) => ({ slots: range, nodes: [...new Set(claims[range[0]])] }));
  return { covered: claims.filter((c) => c.length === 1).length, uncovered, contested };
}

/** The pod and node id serving `slot`, if exactly one reachable master claims it. */
export function masterOfSlot(t: Topology, slot: number, claims: string[][] = slotClaims(t)): { pod: string; nodeId: string } | null {
  const owners = claims[slot] ?? [];
  if (owners.length !== 1) return null;
  const pod = podOfNode(t, owners[0]!);
  return pod ? { pod, nodeId: owners[0]! } : null;
}

/** Each node whose own `myself` line names another address than its pod's IP: its own view, wrong. */
export function staleSelfAddresses(t: Topology, selves = selfEntries(t)): string[] {
  return selves.flatMap(({ view, self }) => (view.podIp && self.ip !== view.podIp ? [`${view.pod} believes its own address is ${self.ip}:${self.port}, but the pod's IP is ${view.podIp}`] : []));
}

/**
 * Where nodes disagree about one another: address, role, master and slots of every node, as the
 * node itself states them, compared with every other node's table; and each node's own `myself`
 * address against the pod's real IP (a stale myself line is what update-node.sh exists to fix).
 */
export function disagreements(t: Topology): string[] {
  const selves = selfEntries(t);
  const out = staleSelfAddresses(t, selves);
  for (const { view } of selves) {
    for (const { view: other, self: truth } of selves) {
      if (other === view) continue;
      const seen = view.nodes!.find((n) => n.id === truth.id);
      const name = `${other.pod} (${truth.id.slice(0, 8)})`;
      if (!seen) {
        out.push(`${view.pod} does not know ${name}`);
        continue;
      }
      if (seen.ip !== truth.ip || seen.port !== truth.port) out.push(`${view.pod} has ${name} at ${seen.ip}:${seen.port}, it says ${truth.ip}:${truth.port}`);
      if (seen.role !== truth.role) out.push(`${view.pod} has ${name} as ${seen.role}, it says ${truth.role}`);
      if (truth.role === 'replica' && seen.masterId !== truth.masterId) out.push(`${view.pod} has ${name} replicating ${seen.masterId?.slice(0, 8)}, it says ${truth.masterId?.slice(0, 8)}`);
      if (formatRanges(seen.slots) !== formatRanges(truth.slots)) out.push(`${view.pod} has ${name} owning ${formatRanges(seen.slots)}, it says ${formatRanges(truth.slots)}`);
    }
    const known = new Set(selves.map((s) => s.self.id));
    for (const extra of view.nodes!.filter((n) => !known.has(n.id) && !n.myself)) {
      out.push(`${view.pod} knows a node ${extra.id.slice(0, 8)} at ${extra.ip}:${extra.port} [${extra.flags.join(',')}] that no reachable pod is`);
    }
  }
  return out;
}
