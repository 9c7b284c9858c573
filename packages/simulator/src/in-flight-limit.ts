// Bounds the work a sender has started but not finished, so a fast producer cannot buffer without limit.

/** A counting limit with weights (messages or bytes); one item heavier than the limit still gets through alone. */
export class InFlightLimit {
  private used = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly pending = new Set<Promise<unknown>>();
  private firstError: unknown;

  constructor(private readonly limit: number) {}

  get inFlight(): number {
    return this.used;
  }

  /** Waits for room, then starts `task`; resolves once started. Failures are kept for `drain`. */
  async run(weight: number, task: () => Promise<unknown>): Promise<void> {
    while (this.used > 0 && this.used + weight > this.limit) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.used += weight;
    const p = task()
      .catch((err: unknown) => {
        this.firstError ??= err;
      })
      .finally(() => {
        this.used -= weight;
        this.pending.delete(p);
        const wake = this.waiters.splice(0, this.waiters.length);
        for (const w of wake) w();
      });
    this.pending.add(p);
  }

  /** Resolves when everything started has finished; rejects with the first failure, if any. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.firstError !== undefined) {
      const err = this.firstError;
      this.firstError = undefined;
      throw err;
    }
  }
}
