// A partition's event-time watermark: the highest event time seen, minus the out-of-orderness allowed for.

/**
 * Monotonic by construction: it only moves when a reading raises the maximum event time, and a restored value
 * (from a committed checkpoint) acts as a floor, so a restart never moves the watermark back.
 */
export class Watermark {
  private maxEventTime = Number.NEGATIVE_INFINITY;
  private value: number;

  constructor(
    readonly outOfOrdernessMs: number,
    restored: number = Number.NEGATIVE_INFINITY,
  ) {
    this.value = restored;
  }

  /** Current watermark in epoch ms; -Infinity until the first reading. */
  get current(): number {
    return this.value;
  }

  /** Accounts for one reading's event time; returns true when the watermark moved. */
  observe(ts: number): boolean {
    if (ts <= this.maxEventTime) return false;
    this.maxEventTime = ts;
    const candidate = ts - this.outOfOrdernessMs;
    if (candidate <= this.value) return false;
    this.value = candidate;
    return true;
  }
}
