import { describe, expect, it } from 'vitest';
import { seedNodes, topologyOf } from '../testing/topologies.ts';
import { chooseKeys, KEYS_PER_MASTER, listKeyOf, spreadSlots } from './keys.ts';
import { keySlot, rangesContain } from './slots.ts';
import { selfEntries } from './topology.ts';

describe("the append workload's list keys", () => {
  it('lie in the counter key\'s slot, fresh for each run', () => {
    for (const key of ['hits', 'shard-1-7', 'a{tag}b', 's1234{1x}']) {
      const list = listKeyOf(key, 'lz3k1');
      expect(keySlot(list)).toBe(keySlot(key));
      expect(list).toMatch(/^list:.*:lz3k1$/);
      expect(listKeyOf(key, 'other')).not.toBe(list);
    }
    expect(listKeyOf('hits', 'x')).toBe('list:{hits}:x');
    expect(() => listKeyOf('a}b', 'x')).toThrow('unbalanced brace');
  });
});

describe('the counter keys a run loads', () => {
  // Three masters after migrations: pod 0 owns three ranges (one of a single slot), pod 1 two, pod 2 one.
  const migrated = () => {
    const nodes = seedNodes();
    nodes[0]!.slots = [[0, 4000], [6000, 6000], [12000, 12100]];
    nodes[1]!.slots = [[4001, 5999], [6001, 11999]];
    nodes[2]!.slots = [[12101, 16383]];
    return topologyOf(nodes);
  };
  const rangesOf = (t: ReturnType<typeof migrated>, pod: string) => selfEntries(t).find((e) => e.view.pod === pod)!.self.slots;

  it('by default: every contiguous range of every master touched, at least 8 keys a master, the default key first, the same each time', () => {
    const t = migrated();
    const { keys, raisedFrom } = chooseKeys(t, 'hits');
    expect(raisedFrom).toBeNull();
    expect(keys[0]).toEqual({ key: 'hits', slot: keySlot('hits'), masterAtStart: 'redis-cluster-1' });
    for (const pod of ['redis-cluster-0', 'redis-cluster-1', 'redis-cluster-2']) {
      const mine = keys.filter((k) => k.masterAtStart === pod);
      expect(mine.length, pod).toBeGreaterThanOrEqual(KEYS_PER_MASTER);
      for (const r of rangesOf(t, pod)) expect(mine.some((k) => k.slot >= r[0] && k.slot <= r[1]), `${pod} ${r.join('-')}`).toBe(true);
      for (const k of mine) expect(rangesContain(rangesOf(t, pod), k.slot)).toBe(true);
    }
    for (const k of keys) expect(keySlot(k.key)).toBe(k.slot);
    expect(new Set(keys.map((k) => k.key)).size).toBe(keys.length);
    expect(new Set(keys.map((k) => k.slot)).size).toBe(keys.length);
    expect(chooseKeys(migrated(), 'hits')).toEqual({ keys, raisedFrom });
    // Spread, not bunched: pod 2's one range of 4283 slots gets keys at least 400 slots apart.
    const two = keys.filter((k) => k.masterAtStart === 'redis-cluster-2').map((k) => k.slot);
    expect(Math.min(...two.slice(1).map((s, i) => s - two[i]!))).toBeGreaterThan(400);
  });

  it('with a count: that many keys, dealt round-robin over the masters, raised to one a master when below', () => {
    const t = migrated();
    const { keys } = chooseKeys(t, 'hits', 40);
    expect(keys).toHaveLength(40);
    const per = ['redis-cluster-0', 'redis-cluster-1', 'redis-cluster-2'].map((pod) => keys.filter((k) => k.masterAtStart === pod).length);
    expect(per).toEqual([14, 13, 13]);
    expect(chooseKeys(t, 'hits', 2)).toMatchObject({ raisedFrom: 2, keys: { length: 3 } });
    expect(new Set(chooseKeys(t, 'hits', 3).keys.map((k) => k.masterAtStart)).size).toBe(3);
  });

  it('spreads slots evenly, and touches a one-slot range once the count allows', () => {
    expect(spreadSlots([[0, 99]], 4)).toEqual([12, 37, 62, 87]);
    expect(spreadSlots([[0, 999], [5000, 5000]], 2)).toContain(5000);
    expect(spreadSlots([[0, 2]], 8)).toEqual([0, 1, 2]);
  });
});
