export const SLOT_COUNT = 16384;

export type SlotRange = [from: number, to: number];

/** CRC16/XMODEM, as Redis Cluster hashes keys (src/crc16.c). */
function crc16(data: Buffer): number {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The slot of a key, honouring {hash tags} as Redis does. */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open !== -1) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  return crc16(Buffer.from(key)) % SLOT_COUNT;
}

export function rangesContain(ranges: SlotRange[], slot: number): boolean {
  return ranges.some(([from, to]) => slot >= from && slot <= to);
}

export function rangeSize(ranges: SlotRange[]): number {
  return ranges.reduce((n, [from, to]) => n + (to - from + 1), 0);
}

export function formatRanges(ranges: SlotRange[]): string {
  return ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',') || '(none)';
}

/** Turns a sorted list of slot numbers into ranges, e.g. [1,2,3,7] → [[1,3],[7,7]]. */
export function toRanges(slots: Iterable<number>): SlotRange[] {
  const out: SlotRange[] = [];
  for (const s of slots) {
    const last = out[out.length - 1];
    if (last && s === last[1] + 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}
