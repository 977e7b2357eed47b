// A master that fails while its replica is stalled by a fault of its own, the replica then
// promoted (npm run explore, seed 3, on the repo's manifests: a replica paused, its master killed):
// the writes acknowledged since the stall are Redis's documented loss, excused and counted; every
// other loss still fails.
import { describe, expect, it } from 'vitest';
import { OpTable } from '../workload/history.ts';
import { evidence, failedOver, fault, op } from '../testing/evidence.ts';
import { seedNodes, topologyOf } from '../testing/topologies.ts';
import type { FaultRecord } from './types.ts';
import { appendChecker, counterChecker, minorityWritesChecker } from './index.ts';

const [m0, , , r3] = seedNodes();
/** INCR i acknowledged at 400 × i ms (the 15th at 6000 ms, as the kill takes effect). */
const ackMs = (i: number) => 400 * i;
const pause = (over: Partial<FaultRecord> = {}) => fault({ kind: 'pause', target: r3!.pod, role: 'replica', nodeId: r3!.id, slots: [], replicaIds: [], masterId: m0!.id, atMs: 3000, endMs: 3010, ...over });
const resume = (atMs: number) => fault({ kind: 'resume', target: r3!.pod, role: 'replica', nodeId: null, slots: [], replicaIds: [], atMs, endMs: atMs + 5 });
const kill = fault({ kind: 'kill', atMs: 5990, endMs: 6000, replicaIds: [r3!.id] });

/**
 * INCRs 1..15 acknowledged by pod 0's master until it was killed at 6000 ms; the replica, paused at
 * 3000 ms, had `replicaHad` of them and, promoted, hands out replicaHad + 1.. again from 9000 ms.
 */
function stalled(replicaHad: number, faults: FaultRecord[], promoted = true) {
  const before = Array.from({ length: 15 }, (_, i) => op(i % 2, 'incr', 'ok', i + 1, ackMs(i + 1) - 5, ackMs(i + 1)));
  const after = [1, 2, 3].map((n) => op(2, 'incr', 'ok', replicaHad + n, 9000 + n * 10, 9005 + n * 10));
  return evidence({ history: OpTable.from([...before, ...after]), finalRead: replicaHad + 3, faults, final: topologyOf(promoted ? failedOver() : seedNodes()) });
}

describe('a master failed while its replica was stalled, the replica promoted', () => {
  it('excuses the writes acknowledged since the stall, and counts them', () => {
    // The replica stalled at 3000 ms with 7 (acknowledged at 2800): 8..15 were never replicated.
    const e = stalled(7, [pause(), kill, resume(7000)]);
    const r = minorityWritesChecker(e);
    expect(r.valid).toBe(true);
    expect(r.details).toMatchObject({ stalledReplicas: [{ target: m0!.pod, replica: r3!.pod, lostAcknowledged: 8, outsideWindow: 0 }] });
    expect(r.message).toMatch(/^redis-cluster-0 failed with its replica redis-cluster-3 stalled: 8 acknowledged writes lost, the last acknowledged 3000 ms after redis-cluster-3 stalled, within the stall to the master's failure: Redis Cluster's documented loss of asynchronous replication/);
    expect(counterChecker(e)).toMatchObject({ valid: true, message: expect.stringMatching(/8 indeterminate/) });
  });

  it('excuses the same for a replica held down or cut off, not for one merely slowed', () => {
    for (const kind of ['kill', 'partition', 'node-crash'] as const) expect(counterChecker(stalled(7, [pause({ kind }), kill])).valid, kind).toBe(true);
    expect(counterChecker(stalled(7, [pause({ kind: 'delay' }), kill])).valid).toBe(false);
  });

  it('fails the same loss with no stall, a stall ended before the failure, or another node promoted', () => {
    for (const [why, e] of [
      ['no stall', stalled(7, [kill])],
      ['resumed before the kill', stalled(7, [pause(), resume(5000), kill])],
      ['the master back, not the replica', stalled(7, [pause(), kill, resume(7000)], false)],
    ] as const) {
      expect(minorityWritesChecker(e).details, why).toMatchObject({ applicable: false });
      expect(counterChecker(e), why).toMatchObject({ valid: false, message: expect.stringMatching(/8 acknowledged increments lost/) });
    }
  });

  it('fails a write acknowledged before the window: the replica lagged by more than its stall', () => {
    // The replica had 3: 4 (1600 ms) and 5 (2000 ms) were acknowledged before a second ahead of the stall.
    expect(counterChecker(stalled(3, [pause(), kill, resume(7000)]))).toMatchObject({ valid: false, message: expect.stringMatching(/2 acknowledged increments lost/) });
  });

  it('excuses an append lost in the same window, and fails it without the stall', () => {
    const appends = Array.from({ length: 15 }, (_, i) => ({ ...op(0, 'append', 'ok', i + 1, ackMs(i + 1) - 5, ackMs(i + 1)), key: 'list-0' }));
    const list = { key: 'list-0', slot: 0, masterAtStart: m0!.pod, finalRead: [1, 2, 3, 4, 5, 6, 7] };
    const e = (faults: FaultRecord[]) => evidence({ history: OpTable.from(appends), lists: [list], workload: 'append', faults, final: topologyOf(failedOver()) });
    expect(appendChecker(e([pause(), kill, resume(7000)]))).toMatchObject({ valid: true, message: expect.stringMatching(/8 acknowledged appends lost .* inside the documented loss window of redis-cluster-0 \(failed with redis-cluster-3 stalled at 3\.000s, window to 6\.000s\)/) });
    expect(appendChecker(e([kill]))).toMatchObject({ valid: false, message: expect.stringMatching(/8 acknowledged appends lost, first: 8 in list-0/) });
  });
});
