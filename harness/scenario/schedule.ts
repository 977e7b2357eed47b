/**
 * Fault timing drawn from --seed, so a run can be replayed: the same seed and scenario name give
 * the same delays. mulberry32 over a hash of both: small, fast, and good enough for jitter.
 */
export class Schedule {
  private state: number;
  readonly planned: { what: string; delayMs: number }[] = [];

  constructor(
    readonly seed: number,
    scenario: string,
  ) {
    let h = seed >>> 0;
    for (const c of scenario) h = Math.imul(h ^ c.charCodeAt(0), 2654435761) >>> 0;
    this.state = h;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** One of `items`, drawn from the seed and recorded under `what` (delayMs holds its index). */
  pick<T>(what: string, items: T[]): T {
    const i = Math.floor(this.next() * items.length);
    this.planned.push({ what: `${what}: ${String(items[i])}`, delayMs: i });
    return items[i]!;
  }

  /** A delay in [minMs, maxMs), recorded under `what`. */
  delay(what: string, minMs: number, maxMs: number): number {
    const delayMs = Math.round(minMs + this.next() * (maxMs - minMs));
    this.planned.push({ what, delayMs });
    return delayMs;
  }
}
