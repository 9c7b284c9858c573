// How long a series' readings have been identical, as far as its successive 1-minute aggregates can show it.
import { MINUTE_MS, type Aggregate } from '@lambda-iot/core';

/** What the run last saw of its newest window, to tell what the window's next state added. */
interface WindowSeen {
  start: number;
  count: number;
  sum: number;
  sumSq: number;
  firstTs: number;
  lastTs: number;
}

/**
 * Fed a series' windows in event-time order, each as often as it changes (early results of an open window, then
 * its complete state), it keeps the newest run of identical readings those states prove, never overstating it:
 * - a window whose min equals its max continues a run of that value from the window before if that one ended on
 *   it, otherwise starts one at its first reading;
 * - a window with two values leaves only its last reading as a run, which is all its aggregate says of its tail;
 * - but between two states of the same window, the readings added (count, sum and sum of squares grew by k, s
 *   and q) were all one value u exactly when s = k·u and q = k·u², so early results written as readings arrive
 *   follow a run reading by reading, wherever in the minute it began.
 */
export class ConstantRun {
  private value = Number.NaN;
  private since = Number.NaN;
  private until = Number.NaN;
  private seen: WindowSeen | undefined;

  /** Extends or restarts the run with window `windowStart`'s aggregate; false when the window is older. */
  extend(windowStart: number, a: Aggregate): boolean {
    const seen = this.seen;
    if (a.count === 0 || (seen !== undefined && windowStart < seen.start)) return false;
    if (seen?.start === windowStart && a.count === seen.count) return true;
    // The one value of the readings this state added to the window's previous one, if they were all alike.
    const added = seen?.start === windowStart ? addedReadings(seen, a) : undefined;
    // Whether the run reached the newest reading seen so far, which this state follows on from.
    const ongoing = seen !== undefined && this.until === seen.lastTs;
    if (a.min === a.max) {
      const continues =
        a.min === this.value &&
        ongoing &&
        (windowStart === seen.start || windowStart === seen.start + MINUTE_MS);
      if (!continues) {
        this.value = a.min;
        this.since = a.firstTs;
      }
      this.until = a.lastTs;
    } else if (added !== undefined && added === this.value && ongoing) {
      // The run went on through every reading this state added.
      this.until = a.lastTs;
    } else {
      this.value = a.last;
      this.since = a.lastTs;
      this.until = a.lastTs;
    }
    // Updated in place: this runs for every active series at every flush.
    const next = (this.seen ??= { start: 0, count: 0, sum: 0, sumSq: 0, firstTs: 0, lastTs: 0 });
    next.start = windowStart;
    next.count = a.count;
    next.sum = a.sum;
    next.sumSq = a.sumSq;
    next.firstTs = a.firstTs;
    next.lastTs = a.lastTs;
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

/**
 * The one value the readings between two states of a window all had, if they did and all came after the earlier
 * state's newest reading (in order: a straggler inside the window would break the reading-by-reading account).
 */
function addedReadings(before: WindowSeen, after: Aggregate): number | undefined {
  const count = after.count - before.count;
  if (count <= 0 || after.firstTs !== before.firstTs || after.lastTs <= before.lastTs) return undefined;
  const value = after.last;
  const sum = after.sum - before.sum;
  const sumSq = after.sumSq - before.sumSq;
  // Sums of floats carry rounding: equal within a few ulps of the window's own totals.
  const tolerance = (x: number) => 1e-12 * Math.max(1, Math.abs(x));
  if (Math.abs(sum - count * value) > tolerance(after.sum)) return undefined;
  if (Math.abs(sumSq - count * value * value) > tolerance(after.sumSq)) return undefined;
  return value;
}
