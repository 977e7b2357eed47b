import { describe, expect, it } from 'vitest';
import { OpTable } from '../workload/history.ts';
import { summarize } from '../workload/sampler.ts';
import { seedNodes, topologyOf, type FakeNode } from '../testing/topologies.ts';
import { evidence, failedOver, fault, op, sequential } from '../testing/evidence.ts';
import {
  availabilityChecker, combine, configConsistentChecker, counterChecker, peerAddressesChecker, replicaPromotionChecker, runCheckers, SEED_CHECKERS,
  slotCoverageChecker, topologyRestoredChecker, type FaultRecord, type RunEvidence,
} from './index.ts';

describe('counter', () => {
  it('passes a clean history and counts what it saw', () => {
    const r = counterChecker(evidence());
    expect(r.valid).toBe(true);
    expect(r.details).toMatchObject({ attempted: 10, acknowledged: 10, failed: 0, indeterminate: 0, finalCount: 10, lostAcknowledged: 0, phantom: 0 });
  });

  it('passes concurrent INCRs whose values interleave, and a baseline from earlier scenarios', () => {
    const ops = [op(0, 'incr', 'ok', 102, 0, 10), op(1, 'incr', 'ok', 101, 1, 9), op(2, 'incr', 'info', null, 2, 12), op(3, 'incr', 'fail', null, 3, 4), op(1, 'read', 'ok', 103, 20, 21)];
    expect(counterChecker(evidence({ history: OpTable.from(ops), baseline: 100, finalRead: 103 })).valid).toBe(true);
  });

  it('fails a read that goes backwards, naming both operations', () => {
    const ops = [...sequential(5), op(2, 'read', 'ok', 3, 100, 101)];
    const r = counterChecker(evidence({ history: OpTable.from(ops), finalRead: 5 }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/values went backwards, first: process 2 read → 3 \[0\.100s–0\.101s\] after .* → 5/);
  });

  it('fails a duplicate INCR value', () => {
    const ops = [op(0, 'incr', 'ok', 1, 0, 10), op(1, 'incr', 'ok', 1, 1, 9)];
    const r = counterChecker(evidence({ history: OpTable.from(ops), finalRead: 2 }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/1 duplicate INCR values, first: 1 from process 0 INCR/);
  });

  it('fails an acknowledged INCR missing from the final read, and reports how many', () => {
    const r = counterChecker(evidence({ finalRead: 8 }));
    expect(r.valid).toBe(false);
    expect(r.details.lostAcknowledged).toBe(2);
    expect(r.message).toMatch(/2 acknowledged increments lost: final read 8 − baseline 0 = 8, but 10 INCRs were acknowledged/);
  });

  it('fails a phantom increment beyond acknowledged + indeterminate', () => {
    const ops = [...sequential(3), op(2, 'incr', 'info', null, 50, 60)];
    const r = counterChecker(evidence({ history: OpTable.from(ops), finalRead: 6 }));
    expect(r.valid).toBe(false);
    expect(r.details.phantom).toBe(2);
    expect(r.message).toMatch(/2 phantom increments/);
  });

  it('fails a value above what was ever attempted (Jepsen bounds)', () => {
    const ops = [op(0, 'incr', 'ok', 1, 0, 5), op(0, 'incr', 'ok', 7, 10, 15)];
    const r = counterChecker(evidence({ history: OpTable.from(ops), finalRead: 2 }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/out of bounds, first: process 0 INCR → 7 .* outside \[2, 2\]/);
  });

  it('is unknown, not a pass, when the final read failed', () => {
    expect(counterChecker(evidence({ finalRead: null })).valid).toBe('unknown');
  });
});

describe('slot-coverage', () => {
  it('passes full coverage and reports the longest gap from the samples', () => {
    const gap = topologyOf(seedNodes(), { 'redis-cluster-0': { unreachable: true } });
    const healthy = topologyOf(seedNodes());
    const samples = [summarize(healthy, 0, 0), summarize(gap, 250, 0), summarize(gap, 500, 0), summarize(healthy, 1250, 0)];
    const r = slotCoverageChecker(evidence({ samples }));
    expect(r.valid).toBe(true);
    expect(r.details).toMatchObject({ longestUncoveredMs: 1000, minCovered: 16384 - 5461 });
  });

  it('fails an uncovered slot at the end', () => {
    const nodes = seedNodes();
    nodes[2]!.slots = [[10923, 16382]];
    const r = slotCoverageChecker(evidence({ final: topologyOf(nodes) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/slots 16383 are served by no reachable master/);
  });

  it('fails two masters claiming one slot', () => {
    const nodes = seedNodes();
    nodes[1]!.slots = [[5000, 10922]];
    const r = slotCoverageChecker(evidence({ final: topologyOf(nodes) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/slots 5000-5460 are claimed by 2 masters/);
  });

  it('fails a node that does not say cluster_state:ok', () => {
    const r = slotCoverageChecker(evidence({ final: topologyOf(seedNodes(), { 'redis-cluster-4': { clusterState: 'fail' } }) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/redis-cluster-4 reports cluster_state:fail/);
  });
});

describe('independent keys, one per shard (many-keys.test.ts: many per shard)', () => {
  /** Key a (default, no key on its ops) and key b, each counting 1..n sequentially. */
  const twoKeys = (n: number, bFrom = 0) => OpTable.from([
    ...sequential(n),
    ...Array.from({ length: n }, (_, i) => ({ ...op(2, 'incr', 'ok', bFrom + i + 1, i * 10 + 1, i * 10 + 6), key: 'b' })),
  ]);
  const keys = (finalB: number | null) => [
    { key: 'hits', slot: 4994, masterAtStart: 'redis-cluster-0', baseline: 0, finalRead: 10 },
    { key: 'b', slot: 9000, masterAtStart: 'redis-cluster-1', baseline: 0, finalRead: finalB },
  ];

  it('judge each key as its own counter: values shared across keys are not duplicates', () => {
    const r = counterChecker(evidence({ history: twoKeys(10), keys: keys(10) }));
    expect(r.valid).toBe(true);
    expect(r.message).toBe('2 keys over 2 shards, each within its bounds: 20 acknowledged, 0 indeterminate, 0 failed in all');
    expect(r.details).toMatchObject({ acknowledged: 20, lostAcknowledged: 0, perKey: [{ key: 'hits', acknowledged: 10 }, { key: 'b', acknowledged: 10 }] });
  });

  it('fail a loss on one shard that a total would hide, naming the key and its shard', () => {
    const r = counterChecker(evidence({ history: twoKeys(10), keys: keys(7) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/^1 of 2 keys over 2 shards failed: key b \(slot 9000, redis-cluster-1's shard\): 3 acknowledged increments lost/);
    expect(r.details).toMatchObject({ lostAcknowledged: 3 });
  });

  it('fail values that go backwards on one key only', () => {
    const history = OpTable.from([...sequential(10), { ...op(2, 'incr', 'ok', 5, 0, 5), key: 'b' }, { ...op(2, 'incr', 'ok', 3, 10, 15), key: 'b' }]);
    const r = counterChecker(evidence({ history, keys: [keys(5)[0]!, { ...keys(5)[1]!, baseline: 2, finalRead: 4 }] }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/^1 of 2 keys over 2 shards failed: key b .*values out of bounds/);
  });

  it('availability reports each shard, and the worst: an outage of one shard the others would mask', () => {
    // Key b answers only in the first 30 ms and the last 10 ms; the default key all along.
    const history = OpTable.from([
      ...sequential(20),
      ...[0, 10, 20, 190].map((t, i) => ({ ...op(2, 'incr', 'ok', i + 1, t, t + 5), key: 'b' })),
    ]);
    const r = availabilityChecker(evidence({ history, keys: [keys(20)[0]!, { ...keys(20)[1]!, finalRead: 4 }] }));
    expect(r.details).toMatchObject({ maxUnavailableMs: 170, maxUnavailable: { key: 'b' }, shards: [{ key: 'hits' }, { key: 'b', maxUnavailableMs: 170 }] });
    expect(r.message).toMatch(/^longest gap between ok INCRs 170 ms \(key b, slot 9000; other shards \d+ ms\)/);
    expect(availabilityChecker(evidence({ history, keys: keys(4), expect: { maxUnavailableMs: 100 } })).valid).toBe(false);
  });
});

describe('peer-addresses', () => {
  it('is unknown, not a pass, when no node answered at the end', () => {
    const down = topologyOf(seedNodes(), Object.fromEntries(seedNodes().map((n) => [n.pod, { unreachable: true }])));
    const r = peerAddressesChecker(evidence({ final: down }));
    expect(r).toMatchObject({ valid: 'unknown', message: 'no peer address could be read: 0 of 6 nodes answered at the end' });
  });

  /** Every pod back on a new IP; each node's own line rewritten, its peers' addresses as `seen`. */
  const restarted = (seen: (pod: number) => string) => {
    const nodes = seedNodes().map((n, i) => ({ ...n, ip: `127.0.1.${i + 1}` }));
    const sees = Object.fromEntries(nodes.map((n, i) => [n.pod, { ip: seen(i) }]));
    return topologyOf(nodes, Object.fromEntries(nodes.map((me) => [me.pod, { sees: Object.fromEntries(Object.entries(sees).filter(([pod]) => pod !== me.pod)) }])));
  };

  it('passes when every peer is known at its current IP', () => {
    expect(peerAddressesChecker(evidence()).valid).toBe(true);
  });

  it('fails a full restart on new IPs, naming the cause: nodes.conf holds only the old IPs', () => {
    const r = peerAddressesChecker(evidence({ final: restarted((i) => `127.0.0.${i + 1}`) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/^no node can reach any peer after the restart: every one of the 30 peer addresses is stale \(nodes\.conf holds only the peers' old IPs, and nothing tells a node the new ones\); e\.g\. redis-cluster-0 has redis-cluster-1 at 127\.0\.0\.2:6379, which no pod has any more$/);
  });

  it('fails peers known at IPs that other pods now have', () => {
    const r = peerAddressesChecker(evidence({ final: restarted((i) => `127.0.1.${((i + 1) % 6) + 1}`) }));
    expect(r.valid).toBe(false);
    expect(r.message).toContain('those now belong to other nodes');
    expect(r.message).toContain("redis-cluster-0 has redis-cluster-1 at 127.0.1.3:6379, which is now redis-cluster-2's address");
  });

  it('fails a peer known at no address (noaddr)', () => {
    const r = peerAddressesChecker(evidence({ final: topologyOf(seedNodes(), { 'redis-cluster-2': { sees: { 'redis-cluster-3': { ip: '', port: 0, flags: ['slave', 'noaddr'] } } } }) }));
    expect(r.valid).toBe(false);
    expect(r.message).toBe('1 of 30 peer addresses are stale: redis-cluster-2 has redis-cluster-3 at no address (noaddr)');
  });

  it('fails one stale peer address among good ones', () => {
    const r = peerAddressesChecker(evidence({ final: topologyOf(seedNodes(), { 'redis-cluster-5': { sees: { 'redis-cluster-1': { ip: '127.0.0.99' } } } }) }));
    expect(r.valid).toBe(false);
    expect(r.message).toBe('1 of 30 peer addresses are stale: redis-cluster-5 has redis-cluster-1 at 127.0.0.99:6379, which no pod has any more');
  });
});

describe('config-consistent', () => {
  it('passes when every node agrees', () => {
    expect(configConsistentChecker(evidence()).valid).toBe(true);
  });

  it('fails a stale myself address', () => {
    // Pod 0 was re-created at 127.0.0.9, but its nodes.conf still says 127.0.0.1 and so do the others.
    const r = configConsistentChecker(evidence({ final: topologyOf(seedNodes(), { 'redis-cluster-0': { podIp: '127.0.0.9' } }) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/redis-cluster-0 believes its own address is 127\.0\.0\.1:6379, but the pod's IP is 127\.0\.0\.9/);
  });

  it('fails a node that has another at an old address', () => {
    const r = configConsistentChecker(evidence({ final: topologyOf(seedNodes(), { 'redis-cluster-5': { sees: { 'redis-cluster-1': { ip: '127.0.0.99' } } } }) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/redis-cluster-5 has redis-cluster-1 \(11111111\) at 127\.0\.0\.99:6379, it says 127\.0\.0\.2:6379/);
  });

  it('fails disagreement on roles', () => {
    const r = configConsistentChecker(evidence({ final: topologyOf(seedNodes(), { 'redis-cluster-4': { sees: { 'redis-cluster-0': { role: 'replica' } } } }) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/redis-cluster-4 has redis-cluster-0 \(00000000\) as replica, it says master/);
  });
});

describe('replica-promotion', () => {
  const samplesOf = (nodes: FakeNode[], fromMs: number) => [summarize(topologyOf(seedNodes()), 0, 0, [0]), summarize(topologyOf(nodes), fromMs, 0, [0])];

  it('passes a promotion within the deadline with the old master rejoined', () => {
    const nodes = failedOver();
    const r = replicaPromotionChecker(evidence({ faults: [fault()], final: topologyOf(nodes), samples: samplesOf(nodes, 4600), expect: { promotion: 'promoted' } }));
    expect(r.valid).toBe(true);
    expect(r.details).toMatchObject({ failoverMs: 4500, deadlineMs: 9000 });
    expect(r.message).toMatch(/redis-cluster-3 promoted in 4500 ms/);
  });

  it("times the failover from when the fault was in place, not from when the harness began applying it", () => {
    // On a busy Kubernetes node the agent's SIGSTOP took 6.6 s to apply (atMs 100, endMs 6700);
    // the replica took over 5 s after that, at 11.7 s: within the 9 s deadline, counted from the effect.
    const nodes = failedOver();
    const slow = fault({ atMs: 100, endMs: 6700 });
    const r = replicaPromotionChecker(evidence({ faults: [slow], final: topologyOf(nodes), samples: samplesOf(nodes, 11_700), expect: { promotion: 'promoted' } }));
    expect(r.valid).toBe(true);
    expect(r.details).toMatchObject({ failoverMs: 5000 });
    // A deletion begins at once (its action returns only once the pod is back): timed from atMs.
    const deleted = fault({ kind: 'delete-pod', atMs: 100, endMs: 6700 });
    expect(replicaPromotionChecker(evidence({ faults: [deleted], final: topologyOf(nodes), samples: samplesOf(nodes, 11_700), expect: { promotion: 'promoted' } })).valid).toBe(false);
  });

  it('does not count against the deadline the time every replica was down from a fault of its own', () => {
    // A schedule: the master paused at 100 ms, its only replica paused from 1000 ms to 8000 ms.
    // The replica won at 10.9 s: 10.8 s after the master's fault, 2.9 s after it could first stand.
    const nodes = failedOver();
    const [, , , r3] = seedNodes();
    const replicaFaults = [fault({ kind: 'pause', target: 'redis-cluster-3', role: 'replica', atMs: 1000, endMs: 1010, nodeId: r3!.id, slots: [], replicaIds: [] }),
      fault({ kind: 'resume', target: 'redis-cluster-3', role: 'replica', atMs: 8000, endMs: 8010, nodeId: r3!.id, slots: [], replicaIds: [] })];
    const master = fault({ kind: 'pause', atMs: 100, endMs: 100 });
    const judged = (samples: ReturnType<typeof samplesOf>, faults = [master, ...replicaFaults]) => replicaPromotionChecker(evidence({ faults, final: topologyOf(nodes), samples, expect: { promotion: 'promoted' } }));
    const late = judged(samplesOf(nodes, 10_900));
    expect(late.valid, late.message).toBe(true);
    expect(late.details).toMatchObject({ failoverMs: 10_800, faults: [{ replicasDownMs: 7000 }] });
    expect(late.message).toMatch(/not counting 7000 ms in which its replicas were down themselves/);
    // Without the replica's fault the same promotion is late: the defect the deadline is there for.
    expect(judged(samplesOf(nodes, 10_900), [master]).valid).toBe(false);
    // And a replica back at 8 s that still takes more than the deadline after it is late too.
    expect(judged(samplesOf(nodes, 17_200)).valid).toBe(false);
  });

  it("does not count the time its only replica, back from a fault of its own, had not finished its first sync", () => {
    // Recorded (random-schedule, seed 7, node timeout 15000): the master killed 3.9 s after its
    // replica came back from a kill of its own, before that replica's first sync; Redis let it take
    // over only once it had synced, 44.7 s later (from its master's return). Here at 2000: the
    // replica killed at 50 ms and restarted at 1000, the master killed at 1100; the replica is seen
    // unlinked until 9000 ms, linked from 9250, and has won at 10.5 s: 9.4 s after the fault.
    const seed = seedNodes();
    const r3 = seed[3];
    const unsynced = seed.map((n) => (n.id === r3!.id ? { ...n, linkUp: false } : n));
    const nodes = failedOver();
    const replica = (over: Partial<Parameters<typeof fault>[0]>) => fault({ target: r3!.pod, role: 'replica', nodeId: r3!.id, slots: [], replicaIds: [], ...over });
    const faults = [replica({ kind: 'kill', atMs: 50, endMs: 60 }), replica({ kind: 'restart', atMs: 1000, endMs: 1010 }), fault({ atMs: 1100, endMs: 1100 })];
    const samples = (withLinks: boolean) => [
      summarize(topologyOf(seed), 0, 0, [0]),
      ...[1200, 5000, 9000].map((t) => summarize(topologyOf(unsynced), t, 0, [0])),
      summarize(topologyOf(seed), 9250, 0, [0]),
      summarize(topologyOf(nodes), 10_500, 0, [0]),
    ].map(({ linked, ...rest }) => (withLinks ? { ...rest, linked } : rest));
    const judged = (withLinks: boolean) => replicaPromotionChecker(evidence({ faults, final: topologyOf(nodes), samples: samples(withLinks), expect: { promotion: 'promoted' } }));
    const r = judged(true);
    expect(r.valid, r.message).toBe(true);
    expect(r.details).toMatchObject({ failoverMs: 9400, faults: [{ replicasDownMs: 7900 }] });
    expect(r.message).toMatch(/not counting 7900 ms in which its replicas were down themselves or not yet through their first sync since/);
    // Samples that do not say whether a replica is linked (recorded before they did): late, as before.
    expect(judged(false).valid).toBe(false);
  });

  describe('in a failover loop (the same shard faulted twice)', () => {
    const loop = (epochs: [number, number, number]) => {
      const seed = seedNodes();
      const [m0, , , r3] = seed;
      const samples = [
        { ...summarize(topologyOf(seed), 0, 0, [0]), epoch: epochs[0] },
        { ...summarize(topologyOf(failedOver()), 4600, 0, [0]), epoch: epochs[1] },
        { ...summarize(topologyOf(seed), 14_600, 0, [0]), epoch: epochs[2] },
      ];
      const faults = [
        fault(),
        fault({ kind: 'restart', atMs: 5000, role: 'master', nodeId: null, slots: [] }),
        fault({ target: r3!.pod, atMs: 10_100, nodeId: r3!.id, replicaIds: [m0!.id] }),
        fault({ kind: 'restart', target: r3!.pod, atMs: 15_000, nodeId: null, slots: [] }),
      ];
      const final = topologyOf(seed.map((n, i) => (i === 3 ? { ...n, role: 'replica' as const, masterId: m0!.id } : n)));
      return replicaPromotionChecker(evidence({ faults, samples, final, expect: { promotion: 'promoted' } }));
    };

    it('judges each round by what it promoted, and the end state by the last round', () => {
      const r = loop([6, 7, 8]);
      expect(r.valid).toBe(true);
      expect(r.message).toMatch(/^a replica of redis-cluster-0 promoted in 4500 ms \(epoch 6 → 7\); redis-cluster-0 promoted in 4500 ms/);
    });

    it('fails a round whose new owner came without a new epoch', () => {
      const r = loop([6, 6, 8]);
      expect(r.valid).toBe(false);
      expect(r.message).toContain('slot 0 changed owner after the fault on redis-cluster-0 without a new epoch (6 → 6)');
    });
  });

  describe('rounds of evictions (a drain) under either', () => {
    // Two evictions of the master of slot 0 (at 100 and 2000 ms); samples every 250 ms.
    const m0 = seedNodes()[0]!;
    const rounds = (servedBetween: boolean) => {
      const t = topologyOf(seedNodes());
      const down = topologyOf(seedNodes(), { 'redis-cluster-0': { unreachable: true } });
      const samples = [0, 250, 500, 750, 1000, 1250, 1500, 1750, 2250, 2500].map((ms) => {
        const gone = (ms > 100 && ms < 2000 && !(servedBetween && ms >= 1000)) || (ms > 2000 && ms < 2500);
        return summarize(gone ? down : t, ms, 0, [0, 5461, 10923]);
      });
      return replicaPromotionChecker(evidence({
        samples, faults: [fault({ kind: 'evict', atMs: 100 }), fault({ kind: 'evict', atMs: 2000 })], expect: { promotion: 'either' },
      }));
    };

    it('passes when the slot is served again between evictions (the same node back)', () => {
      const r = rounds(true);
      expect(r.valid).toBe(true);
      expect(r.message).toContain(`slot 0 served again 900 ms after the fault on ${m0.pod} (the same node back)`);
    });

    it('fails when the slot is not served again before the next eviction', () => {
      const r = rounds(false);
      expect(r.valid).toBe(false);
      expect(r.message).toContain(`slot 0 was not served again, with every node ok, between the fault on ${m0.pod} and the next fault on its shard`);
    });
  });

  it('passes the same node coming back when either outcome is allowed', () => {
    const r = replicaPromotionChecker(evidence({ faults: [fault({ kind: 'crash' })], expect: { promotion: 'either' } }));
    expect(r.valid).toBe(true);
    expect(r.message).toMatch(/master of slot 0 again: no failover/);
  });

  it('fails a promotion that never happened when one is required', () => {
    const r = replicaPromotionChecker(evidence({ faults: [fault()], expect: { promotion: 'promoted' } }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/redis-cluster-0 came back as master of slot 0: its replica was never promoted/);
  });

  it('fails slots left unserved', () => {
    const r = replicaPromotionChecker(evidence({ faults: [fault()], final: topologyOf(seedNodes(), { 'redis-cluster-0': { unreachable: true } }) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/served by no master at the end: no promotion happened/);
  });

  it('fails a promotion slower than the deadline', () => {
    const nodes = failedOver();
    const r = replicaPromotionChecker(evidence({ faults: [fault()], final: topologyOf(nodes), samples: samplesOf(nodes, 9200) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/not within 9000 ms of the fault on redis-cluster-0 \(9100 ms\)/);
  });

  it('fails an old master that did not rejoin as a replica', () => {
    const nodes = failedOver();
    nodes[0]!.linkUp = false;
    const r = replicaPromotionChecker(evidence({ faults: [fault()], final: topologyOf(nodes), samples: samplesOf(nodes, 3000) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/did not rejoin as its replica \(replica of 33333333, link down\)/);
  });

  it('says so when no fault hit a master', () => {
    const r = replicaPromotionChecker(evidence({ faults: [fault({ role: 'replica' })] }));
    expect(r).toMatchObject({ valid: true, details: { applicable: false } });
  });
});

describe('topology-restored', () => {
  it('passes the seed layout', () => {
    expect(topologyRestoredChecker(evidence()).valid).toBe(true);
  });

  it('fails an orphan master', () => {
    const nodes = seedNodes();
    nodes[3]!.masterId = nodes[1]!.id; // pod 3 now replicates pod 1: pod 0 has none
    const r = topologyRestoredChecker(evidence({ final: topologyOf(nodes) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/master redis-cluster-0 is an orphan: 0 replicas with link up, expected 1/);
  });

  it('fails a node flagged fail and a replica whose link is down', () => {
    const nodes = seedNodes();
    nodes[5]!.flags = ['fail'];
    nodes[4]!.linkUp = false;
    const r = topologyRestoredChecker(evidence({ final: topologyOf(nodes) }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/master redis-cluster-1 is an orphan/);
    expect(r.details.problems).toEqual(expect.arrayContaining([expect.stringMatching(/flags 55555555 \(127\.0\.0\.6:6379\) fail/)]));
  });
});

describe('availability', () => {
  it('reports the longest gap, errors by kind and latency around the fault', () => {
    const ops = [op(0, 'incr', 'ok', 1, 0, 5), op(0, 'incr', 'fail', null, 6, 7), op(0, 'incr', 'info', null, 8, 1008), op(0, 'incr', 'ok', 2, 1010, 1400)];
    const r = availabilityChecker(evidence({ history: OpTable.from(ops), faults: [fault({ atMs: 6 })], recoveredAtMs: 1009 }));
    expect(r.valid).toBe(true);
    expect(r.details).toMatchObject({ maxUnavailableMs: 1395, errors: { 'fail: timeout': 1, 'info: timeout': 1 } });
    expect((r.details.latency as { before: { p99: number }; after: { p99: number } }).after.p99).toBe(390);
  });

  it('fails when the scenario sets a limit and the gap exceeds it', () => {
    const ops = [op(0, 'incr', 'ok', 1, 0, 5), op(0, 'incr', 'ok', 2, 3000, 3005)];
    const r = availabilityChecker(evidence({ history: OpTable.from(ops), expect: { maxUnavailableMs: 1000 } }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(/unavailable for 3000 ms, above the 1000 ms allowed/);
  });

  it('shows the window in which a majority of masters was gone', () => {
    const gone = topologyOf(seedNodes(), { 'redis-cluster-0': { unreachable: true }, 'redis-cluster-1': { unreachable: true } });
    const healthy = topologyOf(seedNodes());
    const samples = [summarize(healthy, 0, 0), summarize(gone, 250, 0), summarize(gone, 500, 0), summarize(healthy, 750, 0)];
    const r = availabilityChecker(evidence({ samples }));
    expect(r.details.majorityLost).toEqual([{ fromMs: 250, toMs: 750, seenBy: 'topology samples' }]);
    expect(r.message).toMatch(/majority of masters gone for 500 ms/);
  });

  it('shows it from the faults too, when two masters were being deleted at once between samples', () => {
    const [m0, m1] = seedNodes();
    const faults = [
      fault({ kind: 'delete-pod', target: m0!.pod, atMs: 1000, endMs: 1180 }),
      fault({ kind: 'delete-pod', target: m1!.pod, nodeId: m1!.id, slots: m1!.slots, atMs: 1010, endMs: 1150 }),
    ];
    const r = availabilityChecker(evidence({ faults }));
    expect(r.details.majorityLost).toEqual([{ fromMs: 1010, toMs: 1150, seenBy: 'fault records' }]);
    // One master down alone is no loss of majority.
    expect(availabilityChecker(evidence({ faults: [faults[0]!] })).details.majorityLost).toEqual([]);
  });
});

describe('combining results', () => {
  it('false beats unknown beats true', () => {
    expect(combine([{ valid: true }, { valid: 'unknown' }, { valid: false }])).toBe(false);
    expect(combine([{ valid: true }, { valid: 'unknown' }])).toBe('unknown');
    expect(combine([{ valid: true }, { valid: true }])).toBe(true);
  });

  it('turns a checker that throws into unknown, never a pass', () => {
    const [r] = runCheckers({ broken: () => { throw new Error('boom'); } }, evidence());
    expect(r).toMatchObject({ name: 'broken', valid: 'unknown', message: 'checker threw: boom' });
  });

  it("makes the history's operations once for every checker, and judges them as the table would", () => {
    const e = evidence({ history: OpTable.from([op(0, 'incr', 'ok', 1, 0, 5), op(1, 'incr', 'fail', null, 6, 9), op(0, 'read', 'ok', 1, 10, 12)]), finalRead: 1 });
    const seen: unknown[] = [];
    const see = (x: RunEvidence) => (seen.push(x.history), { valid: true as const, message: '', details: {} });
    runCheckers({ a: see, b: see }, e);
    expect(Array.isArray(seen[0])).toBe(true);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[0]).toEqual([...e.history]);
    const shared = runCheckers(SEED_CHECKERS, e);
    const one = Object.entries(SEED_CHECKERS).map(([name, check]) => ({ name, ...check(e) }));
    expect(shared).toEqual(one);
  });
});
