import { selfEntries } from '../cluster/index.ts';
import { checker } from './types.ts';

/**
 * At the end, every address a node has for a peer must be that peer's current pod IP. Two ways to
 * get this wrong, both seen in the field after full restarts: the address belongs to no pod any
 * more (every pod came back on a new IP, and nodes.conf holds only the old ones), or it now
 * belongs to a different node (IPs reused by other pods). When no node knows any peer at its
 * current address, the cluster cannot reconnect by itself: the message says so, with the cause.
 * A peer flagged `noaddr` (known by id, at no address) counts as stale too: measured after a full
 * restart on shuffled IPs, nodes can keep such entries for good while cluster_state says ok.
 */
export const peerAddressesChecker = checker(({ final }) => {
  if (!final) return { valid: 'unknown', message: 'no final topology was taken', details: {} };
  const podOfIp = new Map(final.views.flatMap((v) => (v.podIp ? [[v.podIp, v.pod] as const] : [])));
  const idOfPod = new Map(selfEntries(final).map((e) => [e.view.pod, e.self.id]));
  const stale: { node: string; peer: string; address: string; now: string | null }[] = [];
  let peers = 0;
  for (const { view } of selfEntries(final)) {
    for (const entry of view.nodes!.filter((n) => !n.myself)) {
      peers++;
      const peer = [...idOfPod].find(([, id]) => id === entry.id)?.[0] ?? entry.id.slice(0, 8);
      // noaddr: the node gave up on the peer's address and keeps it at none (`:0`).
      if (entry.flags.includes('noaddr') || !entry.ip) {
        stale.push({ node: view.pod, peer, address: 'no address (noaddr)', now: null });
        continue;
      }
      const holder = podOfIp.get(entry.ip) ?? null;
      if (holder === null || idOfPod.get(holder) !== entry.id) stale.push({ node: view.pod, peer, address: `${entry.ip}:${entry.port}`, now: holder });
    }
  }
  const details = { peers, stale: stale.slice(0, 30), staleCount: stale.length };
  // No node answered, or none knew a peer: nothing was observed, which is no pass.
  if (peers === 0) return { valid: 'unknown', message: `no peer address could be read: ${selfEntries(final).length} of ${final.views.length} nodes answered at the end`, details };
  if (stale.length === 0) return { valid: true, message: `every node knows all ${peers} peer addresses as the pods' current IPs`, details };
  const reused = stale.filter((s) => s.now !== null);
  const describe = (s: (typeof stale)[number]) => (s.address.startsWith('no address')
    ? `${s.node} has ${s.peer} at no address (noaddr)`
    : `${s.node} has ${s.peer} at ${s.address}, ${s.now ? `which is now ${s.now}'s address` : 'which no pod has any more'}`);
  if (stale.length === peers) {
    const why = reused.length
      ? 'nodes.conf holds only the peers\' previous IPs, and those now belong to other nodes'
      : 'nodes.conf holds only the peers\' old IPs, and nothing tells a node the new ones';
    return { valid: false, message: `no node can reach any peer after the restart: every one of the ${peers} peer addresses is stale (${why}); e.g. ${describe(stale[0]!)}`, details };
  }
  return { valid: false, message: `${stale.length} of ${peers} peer addresses are stale: ${stale.slice(0, 3).map(describe).join('; ')}`, details };
});
