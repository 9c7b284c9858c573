// The point a client sees: a merged window with its derived statistics and where it came from.
import { deriveStats } from '@lambda-iot/core';
import type { MergedWindow } from './boundary-merge';
import type { ViewSource } from './series-view';

export interface SeriesPoint {
  /** Window start, UTC epoch ms. */
  t: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  mean: number;
  /** Population standard deviation. */
  stddev: number;
  first: number;
  last: number;
  source: ViewSource;
  /** True when the point comes from the batch view: it will not change unless a recompute corrects it. */
  final: boolean;
}

export function toSeriesPoint(w: MergedWindow): SeriesPoint {
  const { mean, stddev } = deriveStats(w.aggregate);
  const a = w.aggregate;
  return {
    t: w.windowStart,
    count: a.count,
    sum: a.sum,
    min: a.min,
    max: a.max,
    mean,
    stddev,
    first: a.first,
    last: a.last,
    source: w.source,
    final: w.final,
  };
}
