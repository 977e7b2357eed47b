import { setMaxListeners } from 'node:events';
import type { RunningPlatform } from '../platform/types.ts';
import { NotYet, waitUntil } from '../util/wait.ts';
import { hasFlag, parseClusterNodes, type NodeEntry } from './nodes.ts';
import { formatRanges } from './slots.ts';

/**
 * Hurries the join that `redis-cli --cluster create` waits for, while it waits. redis-cli sends
 * each node one CLUSTER MEET (to the first node), sleeps a second, then checks once a second until
 * every node reports the same owners of the slots. Left to gossip, that takes one or two of those
 * seconds (two in most harness runs, with the CPU busy beside it): a node learns a master's slots
 * only from a packet the master itself sends, and a master pings a peer it has just met again only
 * after half a node timeout, or by the once-a-second random ping.
 *
 * So, once redis-cli has begun its MEETs: (1) every pair of nodes is met, so that each knows every
 * other at once instead of by gossip; (2) once they do, each node that owns slots meets every other
 * node again. A MEET from a node its peer already knows is read as a ping from that node, so the
 * peer takes the master's slots from its header there and then (measured by hand: agreement at
 * 0.6 s, and the create's first check passing, 1.02–1.06 s, in 13 of 13 tries, against 1.0 or 2.0 s).
 *
 * It only speeds up what Redis does anyway: every bus connection is still the nodes' own, to the
 * addresses the create used, so a cluster bus that cannot connect still never joins.
 *
 * Best effort, within `timeoutMs` (10 s: a `kubectl exec` of redis-cli on a busy node can take
 * seconds to reach its MEETs), and stopped once redis-cli returns: any failure stops it, and
 * redis-cli goes on as it would have. True once every node names the same owners of the slots
 * (redis-cli's own test), false when it stopped short. Off with HARNESS_HASTEN_JOIN=0, for a
 * comparison.
 */
export async function hastenJoin(
  platform: RunningPlatform,
  pods: readonly { name: string; ip: string }[],
  { signal, timeoutMs = 10_000 }: { signal: AbortSignal; timeoutMs?: number },
): Promise<boolean> {
  if (process.env.HARNESS_HASTEN_JOIN === '0' || pods.length < 2) return false;
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  // Every call of a round listens on it at once.
  setMaxListeners(100, deadline);
  const call = (pod: string, args: string[]) => platform.redis(pod, args, { timeoutMs: 1_000, signal: deadline });
  const views = () => Promise.all(pods.map(async (p) => parseClusterNodes(String(await call(p.name, ['CLUSTER', 'NODES'])))));
  const wait = <T>(what: string, probe: () => Promise<T>) => waitUntil(what, probe, { timeoutMs, intervalMs: 20, signal: deadline });
  try {
    // redis-cli's MEETs come after it set every node's config epoch, which a node refuses once it
    // knows another: a MEET before then would fail the create.
    const first = await wait('redis-cli\'s first CLUSTER MEET', async () => {
      const v = await views();
      if (!v.some((nodes) => nodes.length > 1)) throw new NotYet('every node knows only itself');
      return v;
    });
    const busPorts = first.map((nodes) => nodes.find((n) => n.myself)?.busPort ?? 0);
    const meet = (from: number, to: number) => call(pods[from]!.name, meetArgs(pods[to]!.ip, platform.info.clientPort, busPorts[to]!));
    const pairs = pods.flatMap((_, i) => pods.map((_, j) => [i, j] as const)).filter(([i, j]) => i < j);
    await Promise.all(pairs.map(([i, j]) => meet(i, j)));
    const known = await wait('every node knowing every other', async () => {
      const v = await views();
      if (!v.every((nodes) => nodes.length === pods.length && !nodes.some((n) => hasFlag(n, 'handshake')))) throw new NotYet('still meeting');
      return v;
    });
    const owners = known.flatMap((nodes, i) => (nodes.find((n) => n.myself)?.slots.length ? [i] : []));
    await Promise.all(owners.flatMap((i) => pods.map((_, j) => j).filter((j) => j !== i).map((j) => meet(i, j))));
    // redis-cli's own test of the join: every node names the same owners of the same slots.
    await wait('every node naming the same owners of the slots', async () => {
      if (new Set((await views()).map(slotOwners)).size !== 1) throw new NotYet('the nodes disagree');
    });
    return true;
  } catch {
    // Best effort: redis-cli's own checks decide, and report, whether the cluster joined.
    return false;
  }
}

/** One node's view of who owns which slots, as one comparable string. */
const slotOwners = (nodes: NodeEntry[]) => nodes.filter((n) => n.slots.length > 0).map((n) => `${n.id}:${formatRanges(n.slots)}`).sort().join(' ');

/** The bus port only where it is not the default (port + 10000): Redis before 7.0 takes two arguments. */
function meetArgs(ip: string, port: number, busPort: number): string[] {
  return ['CLUSTER', 'MEET', ip, String(port), ...(busPort && busPort !== port + 10_000 ? [String(busPort)] : [])];
}
