// Builds in-memory views from raw readings, so tests compare merged answers with aggregates of the ground truth.
import {
  addToAggregate,
  emptyAggregate,
  windowStart,
  type Aggregate,
  type Resolution,
} from '@lambda-iot/core';
import { InMemoryBatchView, InMemorySpeedView } from '../in-memory-views';

export interface TestReading {
  deviceId: string;
  metric: string;
  ts: number;
  value: number;
}

/** The aggregates of `readings` per (device, metric, window) at one resolution. */
export function truth(
  readings: readonly TestReading[],
  resolution: Resolution,
): Map<string, Map<number, Aggregate>> {
  const out = new Map<string, Map<number, Aggregate>>();
  for (const r of readings) {
    const id = `${r.deviceId}|${r.metric}`;
    let series = out.get(id);
    if (series === undefined) {
      series = new Map();
      out.set(id, series);
    }
    const start = windowStart(r.ts, resolution);
    let agg = series.get(start);
    if (agg === undefined) {
      agg = emptyAggregate();
      series.set(start, agg);
    }
    addToAggregate(agg, r.ts, r.value);
  }
  return out;
}

/** A batch view holding `readings` at every resolution (a complete recompute), for windows ending by `upTo`. */
export function batchViewOf(
  readings: readonly TestReading[],
  upTo = Number.POSITIVE_INFINITY,
): InMemoryBatchView {
  const view = new InMemoryBatchView();
  for (const res of ['1m', '1h', '1d'] as const) {
    const size = res === '1m' ? 60_000 : res === '1h' ? 3_600_000 : 86_400_000;
    for (const [id, series] of truth(readings, res)) {
      const [deviceId, metric] = id.split('|') as [string, string];
      for (const [start, agg] of series) {
        if (start + size <= upTo) view.put({ deviceId, metric }, res, start, agg);
      }
    }
  }
  return view;
}

/** A speed view holding the 1-minute windows of `readings`. */
export function speedViewOf(readings: readonly TestReading[]): InMemorySpeedView {
  const view = new InMemorySpeedView();
  for (const [id, series] of truth(readings, '1m')) {
    const [deviceId, metric] = id.split('|') as [string, string];
    for (const [start, agg] of series) view.put({ deviceId, metric }, '1m', start, agg);
  }
  return view;
}
