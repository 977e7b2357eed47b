// Test helpers: recorded histories, faults and topologies for the checkers' tests, with no I/O.
import type { Op } from '../workload/history.ts';
import { OpTable } from '../workload/history.ts';
import { summarize } from '../workload/sampler.ts';
import type { FaultRecord, RunEvidence } from '../checkers/index.ts';
import { seedNodes, topologyOf, type FakeNode } from './topologies.ts';

export const MS = 1e6;
/** op(process, f, type, value, invoked at ms, completed at ms) */
export const op = (process: number, f: Op['f'], type: Op['type'], value: number | null, from: number, to: number): Op =>
  ({ process, f, type, value, invokeNs: from * MS, completeNs: to * MS, error: type === 'ok' ? null : 'timeout' });

/** A clean history: INCRs 1..n one after another, then a read of n. */
export const sequential = (n: number) => [...Array.from({ length: n }, (_, i) => op(0, 'incr', 'ok', i + 1, i * 10, i * 10 + 5)), op(1, 'read', 'ok', n, n * 10, n * 10 + 5)];

export function evidence(over: Partial<RunEvidence> = {}): RunEvidence {
  const nodes = seedNodes();
  const t = topologyOf(nodes);
  return {
    history: OpTable.from(sequential(10)), baseline: 0, finalRead: 10,
    samples: [0, 250, 500].map((ms) => summarize(t, ms, 0, [0, 5461, 10923])),
    before: t, final: t, faults: [], recoveredAtMs: null,
    shape: { masters: 3, replicasPerMaster: 1 }, nodeTimeoutMs: 2000, counterSlot: 0, expect: {},
    ...over,
  };
}

export const fault = (over: Partial<FaultRecord> = {}): FaultRecord => {
  const [m0, , , r3] = seedNodes();
  return { kind: 'kill', target: m0!.pod, role: 'master', atMs: 100, nodeId: m0!.id, slots: m0!.slots, replicaIds: [r3!.id], ...over };
};

/** After a failover of pod 0: pod 3 is master of 0-5460 and pod 0 its replica. */
export function failedOver(): FakeNode[] {
  const nodes = seedNodes();
  const [m0, , , r3] = [nodes[0]!, nodes[1]!, nodes[2]!, nodes[3]!];
  Object.assign(r3, { role: 'master', masterId: null, slots: m0.slots });
  Object.assign(m0, { role: 'replica', masterId: r3.id, slots: [] });
  return nodes;
}

/**
 * A kill of pod 0's master at 100 ms, restarted at 300 ms, the cluster recovered at 450 ms: INCRs
 * 1..5 before the fault and 6..10 after the recovery, then a read of 10. Every check passes it,
 * serving-again included (it needs writes after the recovery).
 */
export function killedAndRecovered(): RunEvidence {
  const at = (i: number) => (i < 5 ? i * 10 : 500 + i * 10);
  const history = OpTable.from([...Array.from({ length: 10 }, (_, i) => op(0, 'incr', 'ok', i + 1, at(i), at(i) + 5)), op(1, 'read', 'ok', 10, 650, 655)]);
  return evidence({ history, faults: [fault({ kind: 'kill', atMs: 100, endMs: 110 }), fault({ kind: 'restart', atMs: 300 })], recoveredAtMs: 450 });
}
