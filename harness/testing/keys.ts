import { keySlot, rangesContain, type SlotRange } from '../cluster/index.ts';

export function keyInSlots(ranges: SlotRange[], prefix = 'k'): string {
  for (let i = 0; i < 100_000; i++) if (rangesContain(ranges, keySlot(`${prefix}${i}`))) return `${prefix}${i}`;
  throw new Error('no key found for those slots');
}
