// A series' own baseline learned from its recent normal windows, for devices the batch fit does not cover yet.
import { MINUTE_MS } from '@lambda-iot/core';
import { median, type RobustStats } from './robust-stats';

export interface OnlineBaselineOptions {
  /** Learned windows needed before the baseline answers. */
  minWindows: number;
  /** Most recent learned windows kept (the fit's span). */
  maxWindows: number;
  /**
   * Minutes after which the newest learned window is too old to extrapolate from: the baseline forgets
   * everything and learns again (a level that stayed off that long is the series' level now).
   */
  maxAgeMinutes: number;
}

/** What an online baseline has learned, oldest window first: enough to carry it across a restart. */
export interface OnlineBaselineSnapshot {
  times: number[];
  means: number[];
}

/** The start of the newest window a snapshot has learned; an empty snapshot is older than any other. */
export function newestWindow(s: OnlineBaselineSnapshot): number {
  return s.times[s.times.length - 1] ?? Number.MIN_SAFE_INTEGER;
}

/**
 * True when `value` is a snapshot an online baseline can adopt: equal-length arrays of finite numbers, the window
 * starts strictly increasing. Anything else (a corrupt store entry, a foreign format) would break the fit.
 */
export function isOnlineBaselineSnapshot(value: unknown): value is OnlineBaselineSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const { times, means } = value as Partial<Record<keyof OnlineBaselineSnapshot, unknown>>;
  if (!Array.isArray(times) || !Array.isArray(means) || times.length !== means.length) return false;
  for (let i = 0; i < times.length; i++) {
    const t: unknown = times[i];
    const m: unknown = means[i];
    if (typeof t !== 'number' || !Number.isFinite(t) || typeof m !== 'number' || !Number.isFinite(m))
      return false;
    if (i > 0 && t <= (times[i - 1] as number)) return false;
  }
  return true;
}

/**
 * Median and MAD of the residuals around a robust local trend (the slope between the medians of the older and
 * the newer half of the last `maxWindows` learned window means), evaluated at the window being scored. The trend absorbs a daily cycle, which is close to
 * linear over an hour, so a device's own level and cycle phase need no history; a drift does not bend it,
 * because the detector stops feeding windows that deviate.
 */
export class OnlineBaseline {
  private readonly times: number[] = [];
  private readonly means: number[] = [];

  constructor(private readonly options: OnlineBaselineOptions) {}

  get size(): number {
    return this.times.length;
  }

  /**
   * Adds a normal window's mean; false (and nothing learned) unless it starts after the newest learned window.
   * After a restart the replay from the committed offset re-scores windows a restored snapshot already holds:
   * learning them twice would weigh them double in the fit and break the time order the trend relies on.
   */
  learn(windowStart: number, mean: number): boolean {
    const newest = this.times[this.times.length - 1];
    if (newest !== undefined && windowStart <= newest) return false;
    this.forgetIfStale(windowStart);
    this.times.push(windowStart);
    this.means.push(mean);
    if (this.times.length > this.options.maxWindows) {
      this.times.shift();
      this.means.shift();
    }
    return true;
  }

  /** A copy of what it has learned, to persist. */
  snapshot(): OnlineBaselineSnapshot {
    return { times: [...this.times], means: [...this.means] };
  }

  /**
   * Replaces what it has learned with a persisted snapshot (its newest maxWindows windows); false, and nothing
   * changed, for an invalid one: a bad store entry costs the series a relearn, never an exception in scoring.
   * A snapshot too old to extrapolate from is forgotten at the next window, like its own stale state.
   */
  restore(snapshot: OnlineBaselineSnapshot): boolean {
    if (!isOnlineBaselineSnapshot(snapshot)) return false;
    const from = Math.max(0, snapshot.times.length - this.options.maxWindows);
    this.times.splice(0, this.times.length, ...snapshot.times.slice(from));
    this.means.splice(0, this.means.length, ...snapshot.means.slice(from));
    return true;
  }

  /** The expected mean at `windowStart` and the residual spread, or undefined while still learning. */
  expected(windowStart: number): RobustStats | undefined {
    this.forgetIfStale(windowStart);
    const n = this.times.length;
    if (n < this.options.minWindows) return undefined;
    const x = this.times.map((t) => (t - windowStart) / MINUTE_MS);
    // Two-group median slope: each half's median over a long baseline, so neither noise nor a few wild windows
    // tilt it, at O(n log n) per window.
    const half = n >> 1;
    const dx = median(x.slice(n - half)) - median(x.slice(0, half));
    const slope = dx > 0 ? (median(this.means.slice(n - half)) - median(this.means.slice(0, half))) / dx : 0;
    const level = median(this.means.map((y, i) => y - slope * x[i]!));
    const residuals = this.means.map((y, i) => Math.abs(y - (level + slope * x[i]!)));
    return { median: level, mad: median(residuals), n };
  }

  private forgetIfStale(windowStart: number): void {
    const newest = this.times[this.times.length - 1];
    if (newest !== undefined && windowStart - newest > this.options.maxAgeMinutes * MINUTE_MS) {
      this.times.length = 0;
      this.means.length = 0;
    }
  }
}
