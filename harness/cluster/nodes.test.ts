import { describe, expect, it } from 'vitest';
import { seedNodes, topologyOf } from '../testing/topologies.ts';
import { parseClusterNodes } from './nodes.ts';
import { unmetConditions } from './readiness.ts';
import { formatRanges, keySlot, toRanges } from './slots.ts';

describe('CLUSTER NODES', () => {
  it('parses myself, roles, masters, slots, migrations and flags', () => {
    const text = [
      '07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,hostname4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected',
      'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 [5461->-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f]',
      '292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f :0@0 master,fail?,noaddr - 1426238318243 1426238316232 0 disconnected 16383',
    ].join('\n');
    const [replica, me, gone] = parseClusterNodes(text);
    expect(replica).toMatchObject({ role: 'replica', masterId: 'e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca', ip: '127.0.0.1', port: 30004, busPort: 31004, myself: false });
    expect(me).toMatchObject({ myself: true, role: 'master', slots: [[0, 5460]], migrating: ['[5461->-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f]'], configEpoch: 1 });
    expect(gone).toMatchObject({ ip: '', port: 0, flags: ['master', 'fail?', 'noaddr'], linkState: 'disconnected', slots: [[16383, 16383]] });
  });
});

describe('readiness', () => {
  it('is not reached while a replica is still in its first sync, or the shape is wrong', () => {
    const nodes = seedNodes();
    nodes[4]!.linkUp = false;
    expect(unmetConditions(topologyOf(nodes), { masters: 3, replicasPerMaster: 1 })).toEqual(['redis-cluster-4: replica link down, sync in progress 0']);
    expect(unmetConditions(topologyOf(seedNodes()), { masters: 3, replicasPerMaster: 2 })).toEqual(expect.arrayContaining([
      'redis-cluster-0: cluster_known_nodes:6, expected 9', 'master redis-cluster-0 has 1 replicas, expected 2',
    ]));
  });

  it('is not reached while a node says it is still loading its data set, whatever its peers say', () => {
    const nodes = seedNodes();
    expect(unmetConditions(topologyOf(nodes), { masters: 3, replicasPerMaster: 1 })).toEqual([]);
    nodes[1]!.loading = true;
    expect(unmetConditions(topologyOf(nodes), { masters: 3, replicasPerMaster: 1 })).toEqual(['redis-cluster-1: loading:1']);
  });

  it('without agreement, judges each node by its own view: a peer\'s stale gossip does not hold the load back, its own sync does', () => {
    // Right after --cluster create: redis-cluster-0 has not yet heard redis-cluster-3's new role.
    const t = topologyOf(seedNodes());
    const stale = t.views[0]!.nodes!.find((n) => n.id === t.views[3]!.nodes!.find((m) => m.myself)!.id)!;
    Object.assign(stale, { role: 'master', masterId: undefined, flags: ['master'] });
    const shape = { masters: 3, replicasPerMaster: 1 };
    expect(unmetConditions(t, shape).join('; ')).toMatch(/^redis-cluster-0 has redis-cluster-3 \([0-9a-f]{8}\) as master, it says replica/);
    expect(unmetConditions(t, shape, { agreement: false })).toEqual([]);
    stale.flags = ['master', 'handshake'];
    expect(unmetConditions(t, shape).some((u) => u.includes('flags'))).toBe(true);
    expect(unmetConditions(t, shape, { agreement: false })).toEqual([]);
    t.views[3]!.replication!.master_link_status = 'down';
    expect(unmetConditions(t, shape, { agreement: false })).toEqual(['redis-cluster-3: replica link down, sync in progress 0']);
  });

  it('as a recovery (own views and own address): a peer still holding the old master as a master does not hold it back; a node announcing an old address does', () => {
    // Right after kill-master's restart: redis-cluster-1 has not yet had redis-cluster-0's ping saying it is a replica now.
    const nodes = seedNodes();
    const [old, promoted] = [nodes[0]!, nodes[3]!];
    Object.assign(promoted, { role: 'master', masterId: null, slots: old.slots });
    Object.assign(old, { role: 'replica', masterId: promoted.id, slots: [] });
    const shape = { masters: 3, replicasPerMaster: 1 };
    expect(unmetConditions(topologyOf(nodes), shape)).toEqual([]);
    const stale = topologyOf(nodes, { 'redis-cluster-1': { sees: { 'redis-cluster-0': { role: 'master', masterId: null, slots: [] } } } });
    const recovery = { agreement: false, selfAddress: true };
    expect(unmetConditions(stale, shape).join('; ')).toMatch(/^redis-cluster-1 has redis-cluster-0 \([0-9a-f]{8}\) as master, it says replica/);
    expect(unmetConditions(stale, shape, recovery)).toEqual([]);
    // update-node.sh's myself rewrite left out: the re-created pod-0 still announces its old IP.
    const moved = topologyOf(nodes, { 'redis-cluster-0': { podIp: '10.0.0.99' } });
    expect(unmetConditions(moved, shape, recovery)).toEqual([`redis-cluster-0 believes its own address is ${nodes[0]!.ip}:6379, but the pod's IP is 10.0.0.99`]);
    // The bootstrap's first wait leaves it out: a fresh node learns its address from its first peer.
    expect(unmetConditions(moved, shape, { agreement: false })).toEqual([]);
  });

  it('is not reached when a node does not report its persistence state', () => {
    const t = topologyOf(seedNodes());
    delete t.views[2]!.persistence;
    expect(unmetConditions(t, { masters: 3, replicasPerMaster: 1 })).toEqual(['redis-cluster-2: loading:(not reported)']);
  });
});

describe('slots', () => {
  it('hash keys like Redis, honouring hash tags', () => {
    expect(keySlot('hits')).toBe(4994);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
  });

  it('turn slot lists into ranges and back into text', () => {
    expect(formatRanges(toRanges([0, 1, 2, 7, 9, 10]))).toBe('0-2,7,9-10');
  });
});
