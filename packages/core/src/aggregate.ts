// Mergeable per-window statistics: both layers build them, roll 1m up to 1h and 1d, and derive mean/stddev on read.
import { windowStart, type Resolution } from './window';

/**
 * Statistics of the readings in one window. Every field merges exactly (count, min, max, first, last) or up
 * to float rounding (sum, sumSq), so finer windows roll up into coarser ones.
 *
 * first/last are by event time, and ties on ts are broken by value: first is the smallest (ts, value) pair
 * and last the largest. The result therefore never depends on arrival order, and the batch layer computes
 * the same in DuckDB (`arg_min(value, (ts, value))`-style).
 */
export interface Aggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
  sumSq: number;
  first: number;
  firstTs: number;
  last: number;
  lastTs: number;
}

/**
 * The merge identity: count, sum and sumSq 0; min, first and firstTs +Infinity; max, last and lastTs
 * -Infinity. Any reading compares below or above these without a special case for "empty", which keeps
 * `addToAggregate` branch-light. An empty aggregate is never a result to store: Infinity does not survive
 * JSON, and `deriveStats` of it is NaN.
 */
export function emptyAggregate(): Aggregate {
  return {
    count: 0,
    sum: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
    sumSq: 0,
    first: Number.POSITIVE_INFINITY,
    firstTs: Number.POSITIVE_INFINITY,
    last: Number.NEGATIVE_INFINITY,
    lastTs: Number.NEGATIVE_INFINITY,
  };
}

export function isEmptyAggregate(agg: Aggregate): boolean {
  return agg.count === 0;
}

export function cloneAggregate(agg: Aggregate): Aggregate {
  return {
    count: agg.count,
    sum: agg.sum,
    min: agg.min,
    max: agg.max,
    sumSq: agg.sumSq,
    first: agg.first,
    firstTs: agg.firstTs,
    last: agg.last,
    lastTs: agg.lastTs,
  };
}

/**
 * Adds one reading in place (the speed layer's hot path). The value is assumed finite (validation
 * guarantees it). -0 is folded into 0 so that min/max/first/last cannot depend on which zero came first.
 */
export function addToAggregate(agg: Aggregate, ts: number, value: number): void {
  const v = value + 0;
  const t = ts + 0;
  agg.count += 1;
  agg.sum += v;
  agg.sumSq += v * v;
  if (v < agg.min) agg.min = v;
  if (v > agg.max) agg.max = v;
  if (t < agg.firstTs || (t === agg.firstTs && v < agg.first)) {
    agg.firstTs = t;
    agg.first = v;
  }
  if (t > agg.lastTs || (t === agg.lastTs && v > agg.last)) {
    agg.lastTs = t;
    agg.last = v;
  }
}

export function aggregateOf(readings: Iterable<{ ts: number; value: number }>): Aggregate {
  const agg = emptyAggregate();
  for (const r of readings) addToAggregate(agg, r.ts, r.value);
  return agg;
}

/** Merges `src` into `target` in place; `src` is untouched. */
export function mergeInto(target: Aggregate, src: Aggregate): void {
  target.count += src.count;
  target.sum += src.sum;
  target.sumSq += src.sumSq;
  if (src.min < target.min) target.min = src.min;
  if (src.max > target.max) target.max = src.max;
  if (src.firstTs < target.firstTs || (src.firstTs === target.firstTs && src.first < target.first)) {
    target.firstTs = src.firstTs;
    target.first = src.first;
  }
  if (src.lastTs > target.lastTs || (src.lastTs === target.lastTs && src.last > target.last)) {
    target.lastTs = src.lastTs;
    target.last = src.last;
  }
}

/** The aggregate of both windows' readings, as a new object. */
export function mergeAggregates(a: Aggregate, b: Aggregate): Aggregate {
  const merged = cloneAggregate(a);
  mergeInto(merged, b);
  return merged;
}

export interface DerivedStats {
  mean: number;
  /** Population standard deviation. */
  stddev: number;
}

/**
 * mean and population stddev, derived at read time. Variance comes from sumSq/count - mean², which can
 * round slightly below zero; it is clamped to 0. A window whose min equals max has stddev exactly 0.
 * For count 0 both are NaN: callers never hold empty aggregates, and NaN keeps a mistake visible.
 */
export function deriveStats(agg: Aggregate): DerivedStats {
  if (agg.count === 0) return { mean: Number.NaN, stddev: Number.NaN };
  const mean = agg.sum / agg.count;
  if (agg.min === agg.max) return { mean, stddev: 0 };
  const variance = agg.sumSq / agg.count - mean * mean;
  return { mean, stddev: variance > 0 ? Math.sqrt(variance) : 0 };
}

/**
 * Equality across layers: exact on count, min, max, first, firstTs, last, lastTs; sum and sumSq within
 * `relTol`, because the layers add in different orders and float addition is not associative. The sum's
 * tolerance is relative to count·max|value|, a bound on Σ|value|, since cancellation can leave a sum far
 * smaller than its rounding error; sumSq has no cancellation, so its own magnitude is the scale.
 */
export function aggregatesEqual(a: Aggregate, b: Aggregate, relTol = 1e-9): boolean {
  if (
    a.count !== b.count ||
    a.min !== b.min ||
    a.max !== b.max ||
    a.first !== b.first ||
    a.firstTs !== b.firstTs ||
    a.last !== b.last ||
    a.lastTs !== b.lastTs
  ) {
    return false;
  }
  const magnitude = a.count === 0 ? 0 : a.count * Math.max(Math.abs(a.min), Math.abs(a.max));
  return close(a.sum, b.sum, magnitude, relTol) && close(a.sumSq, b.sumSq, 0, relTol);
}

function close(x: number, y: number, scale: number, relTol: number): boolean {
  if (x === y) return true;
  return Math.abs(x - y) <= relTol * Math.max(Math.abs(x), Math.abs(y), scale);
}

/**
 * Rolls finer windows up into `to`-sized ones: each input is merged into the window holding its start.
 * Inputs are not modified; the result maps coarse window start to a new aggregate.
 */
export function rollup(
  aggs: Iterable<{ windowStart: number; agg: Aggregate }>,
  to: Resolution,
): Map<number, Aggregate> {
  const out = new Map<number, Aggregate>();
  for (const { windowStart: start, agg } of aggs) {
    const key = windowStart(start, to);
    const existing = out.get(key);
    if (existing === undefined) out.set(key, cloneAggregate(agg));
    else mergeInto(existing, agg);
  }
  return out;
}
