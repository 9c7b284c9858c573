// Turns stored 1-minute windows into the sorted points of the requested resolution.
import { rollup, type Resolution } from '@lambda-iot/core';
import type { WindowPoint } from '@lambda-iot/views';

/** Sorted by window start; for '1h'/'1d' the minutes are rolled up with core's `rollup` (mergeable aggregates). */
export function toResolution(minutes: readonly WindowPoint[], resolution: Resolution): WindowPoint[] {
  if (resolution === '1m') return [...minutes].sort((a, b) => a.windowStart - b.windowStart);
  const rolled = rollup(
    minutes.map((p) => ({ windowStart: p.windowStart, agg: p.aggregate })),
    resolution,
  );
  return [...rolled.entries()]
    .map(([windowStart, aggregate]) => ({ windowStart, aggregate }))
    .sort((a, b) => a.windowStart - b.windowStart);
}
