// A fault's record from the topology just before it, and from the records of the faults that
// silenced a pod (paused, held down, its node crashed): the checkers' ground truth.
import { describe, expect, it } from 'vitest';
import type { FaultKind, FaultRecord } from '../checkers/index.ts';
import { seedNodes, topologyOf } from '../testing/topologies.ts';
import { faultRecord } from './record.ts';

const nodes = seedNodes(); // redis-cluster-5 replicates redis-cluster-2
const [master, replica] = [nodes[2]!, nodes[5]!];
const all = topologyOf(nodes);
const silent = topologyOf(nodes, { [replica.pod]: { unreachable: true } });
const recordOf = (kind: FaultKind, pod: string, earlier: FaultRecord[] = [], before = all) => faultRecord(kind, pod, before, earlier, 1000);

describe('faultRecord', () => {
  it("records a master's slots and replicas, and a replica's master, each by its own answer", () => {
    expect(recordOf('kill', master.pod)).toEqual({ kind: 'kill', target: master.pod, role: 'master', atMs: 1000, nodeId: master.id, slots: master.slots, replicaIds: [replica.id] });
    expect(recordOf('pause', replica.pod)).toEqual({ kind: 'pause', target: replica.pod, role: 'replica', atMs: 1000, nodeId: replica.id, slots: [], replicaIds: [], masterId: master.id });
  });

  it('counts a replica silenced by an earlier fault among its master\'s replicas, by what it said then', () => {
    for (const kind of ['pause', 'kill', 'node-crash'] as const) {
      expect(recordOf('kill', master.pod, [recordOf(kind, replica.pod)], silent).replicaIds, kind).toEqual([replica.id]);
    }
  });

  it('does not count a replica that no fault silenced, or one whose fault has ended, or one of another master', () => {
    const paused = recordOf('pause', replica.pod);
    // Unreachable with no fault to say why: unknown, not assumed.
    expect(recordOf('kill', master.pod, [], silent).replicaIds).toEqual([]);
    // Resumed, then unreachable for some other reason: its pause no longer speaks for it.
    expect(recordOf('kill', master.pod, [paused, { ...recordOf('resume', replica.pod), atMs: 1500 }], silent).replicaIds).toEqual([]);
    // A crash or a deletion does not keep it down: it answers again by itself.
    expect(recordOf('kill', master.pod, [recordOf('crash', replica.pod)], silent).replicaIds).toEqual([]);
    expect(recordOf('kill', nodes[1]!.pod, [paused], silent).replicaIds).toEqual([nodes[4]!.id]);
  });

  it('gives a silenced pod its role when the fault that ends it is recorded, and unknown otherwise', () => {
    const paused = recordOf('pause', replica.pod);
    expect(recordOf('resume', replica.pod, [paused], silent)).toMatchObject({ role: 'replica', nodeId: null });
    expect(recordOf('kill', replica.pod, [paused], silent)).toMatchObject({ role: 'unknown', nodeId: null, replicaIds: [] });
    // Every ending fault (checkers' isEnding): a cut pod may not answer at its heal, a full disk's at its freeing.
    for (const [held, ending] of [['partition', 'heal'], ['fill-disk', 'free-disk'], ['node-crash', 'node-restore'], ['kill', 'restart']] as const) {
      expect(recordOf(ending, replica.pod, [recordOf(held, replica.pod)], silent).role, ending).toBe('replica');
    }
  });
});
