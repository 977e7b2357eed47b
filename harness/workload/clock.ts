/** One clock per scenario: history, topology samples and faults share its zero. */
export class Clock {
  readonly epochMs = Date.now();
  private readonly origin = process.hrtime.bigint();

  nowNs(): number {
    return Number(process.hrtime.bigint() - this.origin);
  }
  nowMs(): number {
    return this.nowNs() / 1e6;
  }
}
