import { describe, expect, it } from 'vitest';
import { chooseWorkload, MIN_RATE_PER_SHARD_AND_WORKLOAD } from './choose.ts';

describe('chooseWorkload: the counter and the lists by default, where the rate allows', () => {
  it('runs both when the load is uncapped, and at the parallel default of 300 ops/s on 3 or 6 shards', () => {
    expect(chooseWorkload(undefined, null, 3)).toEqual({ workload: 'both', why: null });
    expect(chooseWorkload(undefined, undefined, 3)).toEqual({ workload: 'both', why: null });
    expect(chooseWorkload(undefined, 300, 3)).toEqual({ workload: 'both', why: null });
    expect(chooseWorkload(undefined, 300, 6)).toEqual({ workload: 'both', why: null });
  });

  it('falls back to the counter alone, and says why, when each workload would get less than its rate on each shard', () => {
    const needed = 2 * 3 * MIN_RATE_PER_SHARD_AND_WORKLOAD;
    expect(chooseWorkload(undefined, needed, 3).workload).toBe('both');
    const low = chooseWorkload(undefined, needed - 1, 3);
    expect(low.workload).toBe('counter');
    expect(low.why).toBe(`the counter alone: ${needed - 1} ops/s is below the ${needed} ops/s that both workloads need on 3 shards (10 a second each, on each shard); --workload both runs them anyway`);
    // More shards need more: 100 ops/s is enough for 3 shards, not for 6.
    expect(chooseWorkload(undefined, 100, 3).workload).toBe('both');
    expect(chooseWorkload(undefined, 100, 6).workload).toBe('counter');
  });

  it('never overrides --workload, whatever the rate', () => {
    expect(chooseWorkload('both', 5, 3)).toEqual({ workload: 'both', why: null });
    expect(chooseWorkload('counter', null, 3)).toEqual({ workload: 'counter', why: null });
    expect(chooseWorkload('append', 1, 6)).toEqual({ workload: 'append', why: null });
  });
});
