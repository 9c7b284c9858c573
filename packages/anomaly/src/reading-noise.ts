// What a window's readings say beyond its mean: their spread, the steps between them, and a series' usual noise.
import type { Aggregate } from '@lambda-iot/core';

/** Standard deviation of the readings inside one window; undefined with fewer than 2 readings. */
export function windowSpread(a: Aggregate): number | undefined {
  if (a.count < 2) return undefined;
  const mean = a.sum / a.count;
  return Math.sqrt(Math.max(0, a.sumSq / a.count - mean * mean));
}

/**
 * The largest jump between readings this window can show: its range (a step inside the minute), and the jump
 * from the previous window's last reading to this one's first (a step on the window boundary). A spike is such
 * a step; a ramp, however steep per minute, moves little from one reading to the next.
 */
export function readingStep(a: Aggregate, previous: Aggregate | undefined): number {
  const inside = a.max - a.min;
  return previous === undefined ? inside : Math.max(inside, Math.abs(a.first - previous.last));
}

/** Weight of one window in the running noise estimate: about the last 20 windows count. */
const ALPHA = 0.05;
/** A window's spread counts at most this many times the current estimate, so a spike cannot inflate it. */
const CLIP = 3;

/** A series' usual within-window spread (its reading noise), learned online from its normal windows. */
export class ReadingNoise {
  private estimate: number | undefined;

  /** The noise so far, at least `floor` (the sensor's resolution); the floor alone before any window. */
  sigma(floor: number): number {
    return Math.max(this.estimate ?? 0, floor);
  }

  learn(spread: number): void {
    if (!(spread > 0)) return;
    this.estimate =
      this.estimate === undefined
        ? spread
        : this.estimate + ALPHA * (Math.min(spread, CLIP * this.estimate) - this.estimate);
  }
}
