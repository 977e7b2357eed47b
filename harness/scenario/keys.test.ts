import { describe, expect, it } from 'vitest';
import { op } from '../testing/evidence.ts';
import { HistoryRecorder, OpTable } from '../workload/history.ts';
import { describeKeys, inBatches, seriesShards, shardIndices, shardFirstKeys, unservedShards, unwrittenKeys, writtenNames } from './keys.ts';
import { seriesOf } from './series.ts';

const keys = [
  { key: 'hits', slot: 4994, masterAtStart: 'm0', baseline: 0 },
  { key: 's100{a}', slot: 100, masterAtStart: 'm0', baseline: 0 },
  { key: 's6000{b}', slot: 6000, masterAtStart: 'm1', baseline: 0 },
  { key: 's7000{c}', slot: 7000, masterAtStart: 'm1', baseline: 0 },
  { key: 's9000{d}', slot: 9000, masterAtStart: null, baseline: 0 },
];

describe("a run's keys, grouped by shard", () => {
  it('gives keys of one master one shard, and a key no master held a shard of its own', () => {
    expect(shardIndices(keys)).toEqual([0, 0, 1, 1, 2]);
  });

  it('charts the ok rate per shard, named by its first key, and the counter of that key only', () => {
    const lists = keys.map((k) => ({ ...k, key: `list:${k.key}:t` }));
    const shardOf = seriesShards(keys, lists);
    expect(['', 's100{a}', 's7000{c}', 'list:s7000{c}:t', 's9000{d}'].map(shardOf)).toEqual(['', '', 's6000{b}', 's6000{b}', 's9000{d}']);
    const history = OpTable.from([op(0, 'incr', 'ok', 1, 0, 5), { ...op(0, 'incr', 'ok', 1, 10, 15), key: 's100{a}' }, { ...op(1, 'incr', 'ok', 1, 20, 25), key: 's7000{c}' }]);
    const series = seriesOf(history, [], [], null, 100, shardOf);
    expect(series.shards).toEqual([{ tMs: 0, key: '', perSec: 8 }, { tMs: 0, key: 's6000{b}', perSec: 4 }]);
    expect(series.counter).toEqual([{ tMs: 0, key: '', value: 1 }]);
  });

  it('lists a few keys in the log line, and counts many per master', () => {
    expect(describeKeys(keys.slice(0, 2), [], 'counter')).toBe('2 keys: hits (slot 4994 on m0, at 0), s100{a} (slot 100 on m0, at 0)');
    expect(describeKeys([...keys, ...keys.slice(1, 3)], [], 'counter')).toBe('7 keys (the first hits): m0 3 (slots 100–4994), m1 3 (slots 6000–7000), ? 1 (slots 9000–9000)');
  });

  it('reads in batches, in order', async () => {
    const seen: number[] = [];
    expect(await inBatches(Array.from({ length: 70 }, (_, i) => i), async (x, i) => (seen.push(i), x * 2))).toEqual(Array.from({ length: 70 }, (_, i) => i * 2));
  });
});

describe('what the load writes, as the warm-up and the verdict wait for it', () => {
  const lists = keys.map((k) => ({ ...k, key: `list:${k.key}:t` }));
  const write = (h: HistoryRecorder, f: 'incr' | 'append' | 'read', key: string | undefined, type: 'ok' | 'fail', atMs: number) =>
    h.complete(h.invoke(0, f, atMs * 1e6 - 1, key), type, null, atMs * 1e6);

  it('names the default key as the history records it, and leaves out the counters of an append-only load', () => {
    expect(writtenNames('counter', keys.slice(0, 2), []).map((w) => w.recorded)).toEqual(['', 's100{a}']);
    expect(writtenNames('both', keys.slice(1, 3), lists.slice(1, 3)).map((w) => [w.name, w.shard])).toEqual([['s100{a}', 0], ['s6000{b}', 1], ['list:s100{a}:t', 0], ['list:s6000{b}:t', 1]]);
    expect(writtenNames('append', keys.slice(0, 2), lists.slice(0, 2)).map((w) => w.name)).toEqual(['list:hits:t', 'list:s100{a}:t']);
  });

  it('lists what has had no acknowledged write: a failed write or a read does not count', () => {
    const h = new HistoryRecorder(null);
    const names = writtenNames('both', keys.slice(0, 2), lists.slice(0, 2));
    expect(unwrittenKeys(names, h)).toEqual(['hits', 's100{a}', 'list:hits:t', 'list:s100{a}:t']);
    write(h, 'incr', undefined, 'ok', 1);
    write(h, 'incr', 's100{a}', 'fail', 2);
    write(h, 'read', 'list:hits:t', 'ok', 3);
    write(h, 'append', 'list:s100{a}:t', 'ok', 4);
    expect(unwrittenKeys(names, h)).toEqual(['s100{a}', 'list:hits:t']);
  });

  it('names each shard, by its first key, with no acknowledged write since a time: a list beside a key serves its shard', () => {
    const h = new HistoryRecorder(null);
    const names = writtenNames('both', keys, lists);
    const firstKeys = shardFirstKeys(keys);
    expect(firstKeys).toEqual(['hits', 's6000{b}', 's9000{d}']);
    write(h, 'incr', undefined, 'ok', 5); // shard of m0, before the time
    write(h, 'append', 'list:s7000{c}:t', 'ok', 20); // shard of m1, through its second key's list
    write(h, 'incr', 's9000{d}', 'fail', 30); // the unowned key's own shard, refused
    expect(unservedShards(firstKeys, names, h, 10)).toEqual(['hits', 's9000{d}']);
    write(h, 'incr', 's100{a}', 'ok', 40);
    write(h, 'incr', 's9000{d}', 'ok', 41);
    expect(unservedShards(firstKeys, names, h, 10)).toEqual([]);
    expect(unservedShards(firstKeys, names, h, 40.5)).toEqual(['hits', 's6000{b}']);
  });
});
