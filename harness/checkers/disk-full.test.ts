// disk-full on synthetic histories: a fill that the shard rides out passes and says what Redis
// said; a shard that never serves again after the free fails; a volume that fills up by itself
// (its claim too small for the AOF) fails in one line naming the claim, its size and Redis's words.
import { describe, expect, it } from 'vitest';
import { OpTable, type Op } from '../workload/history.ts';
import { evidence, fault, MS } from '../testing/evidence.ts';
import { DISK_RECOVERY_MS, diskFullChecker, runCheckers, SEED_CHECKERS } from './index.ts';

const MISCONF = 'MISCONF Errors writing to the AOF file: No space left on device';
/** One INCR every 10 ms from `from` to `to`, its outcome decided by `at(ms)`. */
function writes(from: number, to: number, at: (ms: number) => Pick<Op, 'type' | 'error'>, start = 1): Op[] {
  const ops: Op[] = [];
  let value = start;
  for (let ms = from; ms < to; ms += 10) {
    const { type, error } = at(ms);
    ops.push({ process: 0, f: 'incr', type, value: type === 'ok' ? value++ : null, invokeNs: ms * MS, completeNs: (ms + 2) * MS, error });
  }
  return ops;
}
const ok = { type: 'ok' as const, error: null };
const refused = { type: 'fail' as const, error: MISCONF };
const claims = [{ name: 'data', storage: '1Gi' }];
const fill = fault({ kind: 'fill-disk', atMs: 1000, endMs: 1005 });
const free = (atMs: number) => fault({ kind: 'free-disk', atMs, endMs: atMs + 2 });

describe('disk-full', () => {
  it('passes a shard that refuses writes while full and serves again soon after the free, saying what Redis said', () => {
    // Full from 1000 ms; Redis notices at 1200 (its AOF's last block used up); freed at 5000; ok from 5600.
    // Reads are served throughout, and are no acknowledged writes.
    const reads: Op[] = Array.from({ length: 50 }, (_, i) => ({ process: 1, f: 'read', type: 'ok', value: 20, invokeNs: (2000 + i * 10) * MS, completeNs: (2001 + i * 10) * MS, error: null }));
    const history = [...writes(0, 8000, (ms) => (ms >= 1200 && ms < 5600 ? refused : ok)), ...reads];
    const r = diskFullChecker(evidence({ history: OpTable.from(history), faults: [fill, free(5000)], claims }));
    expect(r.valid).toBe(true);
    expect(r.message).toBe(`redis-cluster-0's volume (claim data-redis-cluster-0 (requests.storage 1Gi)) full for 4000 ms: 20 writes acknowledged, 381 refused, 0 indeterminate; Redis said "${MISCONF}" 200 ms after the fill; writes ok again 600 ms after the free (deadline ${DISK_RECOVERY_MS})`);
    expect(r.details).toMatchObject({ applicable: true, fills: [{ target: 'redis-cluster-0', recoveredAfterMs: 600, during: { byError: { [`fail: ${MISCONF}`]: 381 } } }] });
  });

  it('fails a shard that still refuses writes after the deadline', () => {
    const history = writes(0, 12_000, (ms) => (ms >= 1200 ? refused : ok));
    const r = diskFullChecker(evidence({ history: OpTable.from(history), faults: [fill, free(5000)], claims }));
    expect(r.valid).toBe(false);
    expect(r.message).toMatch(new RegExp(`but the shard did not take writes again within ${DISK_RECOVERY_MS} ms of the free \\(never, last error "${MISCONF}"\\)$`));
  });

  it('fails a volume that filled up by itself, naming the claim, its size and what Redis said', () => {
    // No fill at all: the AOF outgrew a 4Mi claim at 3000 ms.
    const history = writes(0, 6000, (ms) => (ms >= 3000 ? refused : ok));
    const keys = [{ key: '', slot: 4994, masterAtStart: 'redis-cluster-1', baseline: 0, finalRead: 300 }];
    const r = diskFullChecker(evidence({ history: OpTable.from(history), keys, claims: [{ name: 'data', storage: '4Mi' }] }));
    expect(r.valid).toBe(false);
    expect(r.message).toBe(`claim data-redis-cluster-1 (requests.storage 4Mi) filled up with no fill by the harness: 300 writes to the default key (slot 4994, on redis-cluster-1) refused from 3.0 s on, Redis said "${MISCONF}": the volume is too small for what Redis writes to it`);
    // It fails the scenario it happens in, whichever that is: the checker runs in every scenario.
    expect(runCheckers(SEED_CHECKERS, evidence({ history: OpTable.from(history), keys, finalRead: 300, claims })).find((c) => c.name === 'disk-full')?.valid).toBe(false);
  });

  it('is not applicable without a fill or a full disk, and unknown for a fill never freed', () => {
    expect(diskFullChecker(evidence())).toMatchObject({ valid: true, details: { applicable: false } });
    const history = writes(0, 3000, (ms) => (ms >= 1200 ? refused : ok));
    expect(diskFullChecker(evidence({ history: OpTable.from(history), faults: [fill], claims })).valid).toBe('unknown');
  });
});
