// How long a series' readings have been identical, as far as its successive 1-minute aggregates can show it.
import { MINUTE_MS, type Aggregate } from '@lambda-iot/core';

/**
 * Fed a series' windows in event-time order, each as often as it changes (early results of an open window, then
 * its complete state), it keeps the newest run of identical readings those windows prove: a window whose min
 * equals its max continues a run ending in the value it holds from the window before (whose last reading that
 * was), otherwise starts one at its first reading; a window with two values starts one at its last reading,
 * which is all an aggregate says of its tail. So a run is never overstated, and is understated by less than a
 * window where it began mid-window.
 */
export class ConstantRun {
  private value = Number.NaN;
  private since = Number.NaN;
  private until = Number.NaN;
  /** The newest window the run was extended with; older windows arriving later say nothing new. */
  private window = Number.NEGATIVE_INFINITY;

  /** Extends or restarts the run with window `windowStart`'s aggregate; false when the window is older. */
  extend(windowStart: number, a: Aggregate): boolean {
    if (a.count === 0 || windowStart < this.window) return false;
    if (a.min === a.max) {
      const continues =
        a.min === this.value && (windowStart === this.window || windowStart === this.window + MINUTE_MS);
      if (!continues) {
        this.value = a.min;
        this.since = a.firstTs;
      }
      this.until = Math.max(continues ? this.until : a.lastTs, a.lastTs);
    } else {
      this.value = a.last;
      this.since = a.lastTs;
      this.until = a.lastTs;
    }
    this.window = windowStart;
    return true;
  }

  /** Event time the current run has lasted, from its first proven reading to its newest; 0 without one. */
  get spanMs(): number {
    return Number.isNaN(this.since) ? 0 : this.until - this.since;
  }

  /** The repeated value. */
  get repeated(): number {
    return this.value;
  }
}
