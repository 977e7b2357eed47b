import { keySlot, rangesContain, type SlotRange } from './slots.ts';
import { selfEntries, type Topology } from './topology.ts';

/** The first key `<prefix><n>` whose slot lies in `ranges`. */
export function keyInSlots(ranges: SlotRange[], prefix = 'k'): string {
  for (let i = 0; i < 100_000; i++) if (rangesContain(ranges, keySlot(`${prefix}${i}`))) return `${prefix}${i}`;
  throw new Error('no key found for those slots');
}

/** A counter key the workload drives, with where it lived when the scenario began. */
export interface ShardKey {
  key: string;
  slot: number;
  /** The pod that was master of the key's slot at the start. */
  masterAtStart: string | null;
}

/**
 * Keys so that every master's slots hold at least one: the app's default key first, then one key
 * (`shard-<n>-<i>`) for each master that the default key does not already load.
 */
export function keysForEveryMaster(t: Topology, defaultKey: string): ShardKey[] {
  const masters = selfEntries(t).filter((e) => e.self.role === 'master' && e.self.slots.length > 0)
    .sort((a, b) => a.self.slots[0]![0] - b.self.slots[0]![0]);
  const ownerOf = (slot: number) => masters.find((m) => rangesContain(m.self.slots, slot))?.view.pod ?? null;
  const first = keySlot(defaultKey);
  const keys: ShardKey[] = [{ key: defaultKey, slot: first, masterAtStart: ownerOf(first) }];
  for (const [n, m] of masters.entries()) {
    if (rangesContain(m.self.slots, first)) continue;
    const key = keyInSlots(m.self.slots, `shard-${n}-`);
    keys.push({ key, slot: keySlot(key), masterAtStart: m.view.pod });
  }
  return keys;
}

/**
 * The append workload's list for a counter key: in the key's slot (a hash tag, or the key's own),
 * so both workloads load the same shard, and fresh for each run (`tag`), so that a run's list
 * holds only its own values though scenarios share one cluster.
 */
export function listKeyOf(key: string, tag: string): string {
  const candidates = [`list:{${key}}:${tag}`, `list:${key}:${tag}`];
  const found = candidates.find((c) => keySlot(c) === keySlot(key));
  if (!found) throw new Error(`no list key in the slot of ${key}: it has an unbalanced brace`);
  return found;
}
