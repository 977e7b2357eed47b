import { formatRanges, selfEntries } from '../cluster/index.ts';
import { checker } from './types.ts';

/**
 * Judges where each shard sits at the start: a shard whose master and every replica are on one
 * node dies whole with that node, whatever Redis Cluster does; with zones set (more than one), the
 * same for a zone. `redis-cli --cluster create` pairs masters and replicas by IP and cannot know
 * which pods share a node, so this is the placement the bootstrap left. It fails the run where the
 * scenario requires failure domains (the node faults), and warns everywhere else.
 */
export const failureDomainsChecker = checker(({ before, expect }) => {
  const entries = selfEntries(before);
  // Outside the node scenarios this check only informs: what it cannot see decides nothing there.
  const cannot = expect.failureDomains === 'required' ? 'unknown' as const : true;
  if (entries.length === 0) return { valid: cannot, message: 'no node answered before the fault: placement not judged', details: {} };
  if (entries.some((e) => e.view.node === undefined || e.view.node === null)) {
    return { valid: cannot, message: 'the platform did not say which node each pod is on: placement not judged', details: {} };
  }
  const zones = new Set(entries.map((e) => e.view.zone ?? null));
  const byZone = zones.size > 1 && !zones.has(null);
  const shards = entries.filter((e) => e.self.role === 'master' && e.self.slots.length > 0).map((m) => {
    const members = [m, ...entries.filter((e) => e.self.role === 'replica' && e.self.masterId === m.self.id)];
    return {
      slots: formatRanges(m.self.slots), master: m.view.pod,
      pods: members.map((e) => ({ pod: e.view.pod, role: e.self.role, node: e.view.node!, zone: e.view.zone ?? null })),
    };
  });
  const problems: string[] = [];
  for (const s of shards) {
    const nodes = new Set(s.pods.map((p) => p.node));
    const shardZones = new Set(s.pods.map((p) => p.zone));
    const who = s.pods.map((p) => `${p.pod} (${p.role})`).join(' and ');
    if (s.pods.length === 1) problems.push(`the shard of slots ${s.slots} has no replica: ${s.master} on ${s.pods[0]!.node} is all of it`);
    else if (nodes.size === 1) problems.push(`the shard of slots ${s.slots} is all on node ${[...nodes][0]}: ${who}`);
    else if (byZone && shardZones.size === 1) problems.push(`the shard of slots ${s.slots} is all in zone ${[...shardZones][0]}: ${who}`);
  }
  const details = { shards, byZone };
  const placement = shards.map((s) => `${s.slots}: ${s.pods.map((p) => `${p.pod}@${p.node}`).join(', ')}`).join('; ');
  if (problems.length === 0) return { valid: true, message: `every shard spans more than one ${byZone ? 'node and zone' : 'node'} (${placement})`, details };
  if (expect.failureDomains === 'required') return { valid: false, message: `one node's loss takes a whole shard: ${problems.join('; ')}`, details };
  return { valid: true, message: `warning: ${problems.join('; ')} (a node failure would take the shard; the node scenarios fail on this)`, details: { ...details, warnings: problems } };
});
