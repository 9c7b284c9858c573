// A window's mean without its lowest and highest reading: what one outlying reading cannot move.
import type { Aggregate } from '@lambda-iot/core';

/**
 * (sum − min − max) / (count − 2) from three readings on (the median, for three); the plain mean below that. For
 * readings with Gaussian noise it is nearly as precise as the mean; for readings with rare outliers (a knock on a
 * vibration sensor) it ignores one per window, which the mean would carry as a step of outlier / count.
 */
export function trimmedMean(a: Aggregate): number {
  if (a.count < 3) return a.sum / a.count;
  return (a.sum - a.min - a.max) / (a.count - 2);
}
