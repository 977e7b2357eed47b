import { describe, expect, it } from 'vitest';
import { listKeyOf } from './keys.ts';
import { keySlot } from './slots.ts';

describe("the append workload's list keys", () => {
  it('lie in the counter key\'s slot, fresh for each run', () => {
    for (const key of ['hits', 'shard-1-7', 'a{tag}b']) {
      const list = listKeyOf(key, 'lz3k1');
      expect(keySlot(list)).toBe(keySlot(key));
      expect(list).toMatch(/^list:.*:lz3k1$/);
      expect(listKeyOf(key, 'other')).not.toBe(list);
    }
    expect(listKeyOf('hits', 'x')).toBe('list:{hits}:x');
    expect(() => listKeyOf('a}b', 'x')).toThrow('unbalanced brace');
  });
});
