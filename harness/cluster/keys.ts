import { keySlot, rangeSize, rangesContain, SLOT_COUNT, type SlotRange } from './slots.ts';
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
 * The default number of keys per master. Eight, so that a defect touching part of a shard's slots
 * (a half-migrated range, a stale owner of some of them, a replica that took over only some) shows
 * on some of its keys and not on others, where one key per master sees it only if that key happens
 * to lie in the damaged part. Not more: the load is spread over the keys, not added per key, so
 * each key's share of it shrinks as keys grow, and a key with a handful of INCRs shows a loss far
 * less surely than one with hundreds. What each key measures is its own counter: acknowledged,
 * failed and indeterminate INCRs against its final value (checkers/counter.ts).
 */
export const KEYS_PER_MASTER = 8;
/** --keys at most: enough for every slot range of a much-migrated cluster, few enough to read back in seconds. */
export const MAX_KEYS = 4096;

/** One name for each slot, `s<slot>{<tag>}`: the tag puts it in the slot, the name says which. */
let bySlot: string[] | null = null;
export function keyForSlot(slot: number): string {
  if (!bySlot) {
    const table: string[] = new Array<string>(SLOT_COUNT);
    let filled = 0;
    // Deterministic: the first base-36 tag that hashes to each slot (about 170 000 tags fill them all).
    for (let n = 0; filled < SLOT_COUNT; n++) {
      const tag = n.toString(36);
      const s = keySlot(tag);
      if (table[s] === undefined) {
        table[s] = `s${s}{${tag}}`;
        filled++;
      }
    }
    bySlot = table;
  }
  return bySlot[slot]!;
}

/** Adjacent ranges as one: CLUSTER NODES may list 0-99 and 100-199 apart, but they are one stretch. */
function contiguous(ranges: SlotRange[]): SlotRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: SlotRange[] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * `count` slots of `ranges`, evenly spaced over the master's slots taken end to end; then, if
 * `count` allows, every range that got none takes one (its middle) from the range holding the most,
 * so a small range left over from a migration is touched too.
 */
export function spreadSlots(ranges: SlotRange[], count: number): number[] {
  const rs = contiguous(ranges);
  const total = rangeSize(rs);
  const n = Math.min(count, total);
  const at = (p: number) => {
    for (const [a, b] of rs) {
      if (p <= b - a) return a + p;
      p -= b - a + 1;
    }
    throw new Error('position past the ranges');
  };
  const slots = Array.from({ length: n }, (_, i) => at(Math.floor(((i + 0.5) * total) / n)));
  const inRange = (r: SlotRange) => slots.filter((s) => s >= r[0] && s <= r[1]);
  if (n >= rs.length) {
    for (const r of rs) {
      if (inRange(r).length) continue;
      const richest = rs.reduce((best, x) => (inRange(x).length > inRange(best).length ? x : best), rs[0]!);
      const moved = inRange(richest).at(-1)!;
      slots[slots.indexOf(moved)] = Math.floor((r[0] + r[1]) / 2);
    }
  }
  return slots.sort((a, b) => a - b);
}

/** Masters with slots, in slot order: the order keys are dealt to them. */
function mastersOf(t: Topology) {
  return selfEntries(t).filter((e) => e.self.role === 'master' && e.self.slots.length > 0)
    .sort((a, b) => Math.min(...a.self.slots.map((r) => r[0])) - Math.min(...b.self.slots.map((r) => r[0])));
}

/**
 * The counter keys a run loads, chosen from the topology at its start, the app's default key first.
 *
 * Default (`count` undefined): every master gets max(KEYS_PER_MASTER, its contiguous ranges) keys,
 * one in each range and the rest evenly spaced over its slots. With `count`: that many keys in
 * all, dealt round-robin over the masters in slot order (so at most one apart), each master's
 * share spread over its slots the same way; a `count` below the number of masters is raised to
 * it (every shard under load; `raisedFrom` says so). Deterministic: the same topology gives the
 * same keys. The default key replaces its master's chosen key nearest to it in the same range.
 */
export function chooseKeys(t: Topology, defaultKey: string, count?: number): { keys: ShardKey[]; raisedFrom: number | null } {
  const masters = mastersOf(t);
  const first = keySlot(defaultKey);
  const ownerOf = (slot: number) => masters.find((m) => rangesContain(m.self.slots, slot))?.view.pod ?? null;
  const keys: ShardKey[] = [{ key: defaultKey, slot: first, masterAtStart: ownerOf(first) }];
  const total = count === undefined ? null : Math.max(count, masters.length);
  for (const [i, m] of masters.entries()) {
    const ranges = contiguous(m.self.slots);
    const share = total === null ? Math.max(KEYS_PER_MASTER, ranges.length) : Math.floor(total / masters.length) + (i < total % masters.length ? 1 : 0);
    let slots = spreadSlots(ranges, share);
    if (rangesContain(ranges, first)) {
      // The default key stands in for the chosen slot nearest it in its own range.
      const range = ranges.find((r) => first >= r[0] && first <= r[1])!;
      const same = slots.filter((s) => s >= range[0] && s <= range[1]);
      const nearest = (same.length ? same : slots).reduce((best, s) => (Math.abs(s - first) < Math.abs(best - first) ? s : best));
      slots = slots.filter((s) => s !== nearest);
    }
    for (const slot of slots) keys.push({ key: keyForSlot(slot), slot, masterAtStart: m.view.pod });
  }
  return { keys, raisedFrom: count !== undefined && total !== count ? count : null };
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
