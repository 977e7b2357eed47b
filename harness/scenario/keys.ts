import type { ShardKey } from '../cluster/index.ts';
import type { HistoryRecorder, Workload } from '../workload/history.ts';

/** Reads at a time at the start and the verdict: 4096 keys must not open 4096 requests at once. */
const BATCH = 32;

/** `each` over `items`, BATCH at a time, results in order. */
export async function inBatches<T, R>(items: readonly T[], each: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(...(await Promise.all(items.slice(i, i + BATCH).map((x, j) => each(x, i + j)))));
  return out;
}

/**
 * Each key's shard, as an index: keys of one master at the start share one. A key whose slot no
 * master owned is a shard of its own. The workload's clients are per shard, and so are the
 * per-shard figures (availability, other shards).
 */
export function shardIndices(keys: readonly ShardKey[]): number[] {
  const ids = new Map<string, number>();
  return keys.map((k) => {
    const id = k.masterAtStart ?? `unowned ${k.key}`;
    if (!ids.has(id)) ids.set(id, ids.size);
    return ids.get(id)!;
  });
}

/** Keys listed one by one in the log up to this many; past it, counted per master (evidence.json has them all). */
const LIST_UP_TO = 6;

/** The log line's account of what the load runs over. */
export function describeKeys(keys: readonly (ShardKey & { baseline: number })[], lists: readonly ShardKey[], kind: Workload): string {
  const what = kind === 'append' ? 'lists' : 'keys';
  const items = kind === 'append' ? lists : keys;
  if (items.length <= LIST_UP_TO) {
    const one = (k: ShardKey) => `${k.key} (slot ${k.slot} on ${k.masterAtStart}${'baseline' in k ? `, at ${String(k.baseline)}` : ''})`;
    return `${items.length} ${what}: ${items.map(one).join(', ')}${kind === 'both' ? `, and as many lists (${lists.map((l) => l.key).join(', ')})` : ''}`;
  }
  const per = new Map<string, number[]>();
  for (const k of items) per.set(k.masterAtStart ?? '?', [...(per.get(k.masterAtStart ?? '?') ?? []), k.slot]);
  const shards = [...per].map(([m, slots]) => `${m} ${slots.length} (slots ${Math.min(...slots)}–${Math.max(...slots)})`).join(', ');
  return `${items.length} ${what} (the first ${items[0]!.key}): ${shards}${kind === 'both' ? `, and a list beside each key` : ''}`;
}

/**
 * For the report's charts: each history key (the default as '', lists by their own name) to its
 * shard's first key, in history names. A key not listed is its own.
 */
export function seriesShards(keys: readonly ShardKey[], lists: readonly ShardKey[]): (key: string) => string {
  const shard = shardIndices(keys);
  const name = (i: number) => (i === 0 ? '' : keys[i]!.key);
  const first = new Map<number, string>();
  shard.forEach((s, i) => first.has(s) || first.set(s, name(i)));
  const of = new Map<string, string>(keys.map((_, i) => [name(i), first.get(shard[i]!)!]));
  // A list lies in its counter key's slot, beside it: the lists come in the keys' order.
  lists.forEach((l, i) => of.set(l.key, first.get(shard[i]!) ?? l.key));
  return (key) => of.get(key) ?? key;
}

/** A name the load writes, as the history records it, with the shard (shardIndices) of the counter key it lies beside. */
export interface WrittenName {
  name: string;
  recorded: string;
  shard: number;
}

/**
 * What the load writes: each counter key (the default key, the first, recorded as '') unless the
 * workload is append only, and each list.
 */
export function writtenNames(kind: Workload, keys: readonly ShardKey[], lists: readonly ShardKey[]): WrittenName[] {
  const shard = shardIndices(keys);
  const counters = kind === 'append' ? [] : keys.map((k, i) => ({ name: k.key, recorded: i === 0 ? '' : k.key, shard: shard[i]! }));
  return [...counters, ...lists.map((l, i) => ({ name: l.key, recorded: l.key, shard: shard[i]! }))];
}

/** Each shard's first key, by shard index (shardIndices): how the verdict names a shard. */
export function shardFirstKeys(keys: readonly ShardKey[]): string[] {
  const first: string[] = [];
  shardIndices(keys).forEach((s, i) => (first[s] ??= keys[i]!.key));
  return first;
}

type Writes = Pick<HistoryRecorder, 'hasWritten' | 'writtenSince'>;

/** The names the load writes that have had no acknowledged write yet (INCRs, appends, or both). */
export function unwrittenKeys(names: readonly WrittenName[], history: Writes): string[] {
  return names.filter((w) => !history.hasWritten(w.recorded)).map((w) => w.name);
}

/**
 * The shards (named by their first key, shardFirstKeys) with no acknowledged write, counter or
 * append, since `sinceMs` on the history's clock. Linear in the names: the verdict polls it, at
 * --keys 4096, for as long as a stuck shard takes.
 */
export function unservedShards(firstKeys: readonly string[], names: readonly WrittenName[], history: Writes, sinceMs: number): string[] {
  const served = new Set(names.filter((w) => history.writtenSince(w.recorded, sinceMs * 1e6)).map((w) => w.shard));
  return firstKeys.filter((_, s) => !served.has(s));
}
