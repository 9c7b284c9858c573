// Ground truth for serving tests: the aggregate of every window at a resolution, per device, from raw readings.
import {
  addToAggregate,
  emptyAggregate,
  windowStart,
  type Aggregate,
  type Resolution,
} from '@lambda-iot/core';

export function aggregatesOf(
  readings: ReadonlyArray<{ deviceId: string; ts: number; value: number }>,
  deviceId: string,
  res: Resolution,
): Map<number, Aggregate> {
  const out = new Map<number, Aggregate>();
  for (const r of readings) {
    if (r.deviceId !== deviceId) continue;
    const start = windowStart(r.ts, res);
    let agg = out.get(start);
    if (agg === undefined) out.set(start, (agg = emptyAggregate()));
    addToAggregate(agg, r.ts, r.value);
  }
  return out;
}
