// Median and median absolute deviation: location and scale that a few outliers in the history cannot move.

/** Robust summary of one sample: its median, its MAD (unscaled) and how many values it had. */
export interface RobustStats {
  median: number;
  mad: number;
  n: number;
}

/** Scales a MAD to the standard deviation of a normal distribution, so thresholds read as "sigmas". */
export const MAD_TO_SIGMA = 1.4826;

/** Keeps z finite when both the MAD and the configured floor are 0. */
const MIN_SCALE = 1e-12;

/** The median, averaging the two middle values of an even sample (DuckDB's `median` does the same). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median, MAD and size of a sample; undefined for an empty one. */
export function robustStatsOf(values: readonly number[]): RobustStats | undefined {
  if (values.length === 0) return undefined;
  const m = median(values);
  return { median: m, mad: median(values.map((v) => Math.abs(v - m))), n: values.length };
}

/**
 * |value − median| in robust sigmas. `scaleFloor` is the smallest deviation scale that matters physically
 * (a sensor's resolution): without it a near-constant history (MAD 0) would turn any wobble into an anomaly.
 */
export function robustZ(value: number, stats: RobustStats, scaleFloor: number): number {
  return Math.abs(signedRobustZ(value, stats, scaleFloor));
}

/** Like `robustZ`, but negative below the median: what tells an upward drift from a downward one. */
export function signedRobustZ(value: number, stats: RobustStats, scaleFloor: number): number {
  const scale = Math.max(MAD_TO_SIGMA * stats.mad, scaleFloor, MIN_SCALE);
  return (value - stats.median) / scale;
}
