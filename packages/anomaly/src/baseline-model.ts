// The versioned baseline artifact the batch layer fits and the speed layer scores against, and its lookup with fallbacks.
import { HOUR_MS, DAY_MS } from '@lambda-iot/core';
import { BaselineModelError } from './errors';
import type { RobustStats } from './robust-stats';

export const BASELINE_FORMAT = 'lambda-iot.anomaly-baseline/1';

/** Robust stats of one series (or one device type's pooled series) per UTC hour of day, and overall. */
export interface SeasonalBaseline {
  /** 24 entries, index = UTC hour of day; null where the history had no 1-minute mean in that hour. */
  hours: Array<RobustStats | null>;
  overall: RobustStats;
  /**
   * Series only (absent in artifacts fitted before it existed): per hour of day, the robust stats of the 1-minute
   * means' residuals around the series' seasonal curve (`seasonalCurveAt`). A daily cycle moves an hour's means by
   * as much as several noise sigmas from one end of the hour to the other; measured around the curve instead of the
   * flat hour median, the spread is the series' real noise, and a drift crosses the threshold minutes sooner.
   */
  residuals?: Array<RobustStats | null>;
}

export interface BaselineParams {
  /** Days of history the fit covered. */
  days: number;
  /** An hour's stats are used only with at least this many 1-minute means behind them. */
  minSamples: number;
}

export interface BaselineModel {
  format: typeof BASELINE_FORMAT;
  version: string;
  /** When the fit ran, epoch ms. */
  fittedAt: number;
  /** The history the fit read: [from, to), epoch ms. */
  from: number;
  to: number;
  params: BaselineParams;
  /** By `deviceId|metric`. */
  series: Record<string, SeasonalBaseline>;
  /** By `type|metric`: every device of the type pooled; what new or sparse devices fall back to. */
  types: Record<string, SeasonalBaseline>;
  /** Device type of every device the registry knew at fit time (also those without history). */
  deviceTypes: Record<string, string>;
}

/** Which level of the fallback chain answered a lookup. */
export type BaselineSource = 'series-hour' | 'type-hour' | 'series-overall' | 'type-overall';

export interface ResolvedBaseline {
  stats: RobustStats;
  source: BaselineSource;
}

export function seriesKey(deviceId: string, metric: string): string {
  return `${deviceId}|${metric}`;
}

export function hourOfDay(ts: number): number {
  return Math.floor((((ts % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

/** Where a 1-minute window sits on the seasonal curve: its middle, since its mean is the minute's average. */
const HALF_MINUTE_MS = 30_000;

/**
 * The series' expected 1-minute mean at `windowStart`: the straight line between the medians of the two hours
 * whose centres enclose the window's middle (the day wraps round), or the window's own hour median when either of
 * those hours has fewer than `minSamples` means. Undefined when the window's own hour has too few.
 */
export function seasonalCurveAt(
  hours: ReadonlyArray<RobustStats | null>,
  windowStart: number,
  minSamples: number,
): number | undefined {
  const own = hours[hourOfDay(windowStart)];
  if (!own || own.n < minSamples) return undefined;
  const position = hoursIntoDay(windowStart + HALF_MINUTE_MS) - 0.5;
  const below = Math.floor(position);
  const lower = hours[(below + 24) % 24];
  const upper = hours[(below + 25) % 24];
  if (!lower || lower.n < minSamples || !upper || upper.n < minSamples) return own.median;
  const f = position - below;
  return lower.median * (1 - f) + upper.median * f;
}

/** Hours since the UTC day's start, with the fraction; the fitter's SQL computes the same. */
export function hoursIntoDay(ts: number): number {
  return (((ts % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
}

/**
 * The series' own stats for a window: around its seasonal curve where that describes the hour's history more
 * tightly than the hour's flat median (a smooth cycle); the flat hour stats where it does not (a level that steps
 * on the hour, such as a schedule, which a line between hour centres would smear) or where the artifact has no
 * residuals (fitted before the curve existed).
 */
function seriesHourStats(own: SeasonalBaseline, windowStart: number, minSamples: number): RobustStats {
  const hour = hourOfDay(windowStart);
  const flat = own.hours[hour]!;
  const residual = own.residuals?.[hour];
  if (!residual || residual.mad >= flat.mad) return flat;
  const curve = seasonalCurveAt(own.hours, windowStart, minSamples);
  if (curve === undefined) return flat;
  return { median: curve + residual.median, mad: residual.mad, n: residual.n };
}

/**
 * The baseline for a window: the series' own hour of day if it has enough samples, else the device type's
 * hour, else the series' overall stats, else the type's overall. Undefined when none is known (a device the
 * model has never heard of): such windows are not scored against a baseline.
 */
export function resolveBaseline(
  model: BaselineModel,
  deviceId: string,
  metric: string,
  windowStart: number,
): ResolvedBaseline | undefined {
  const hour = hourOfDay(windowStart);
  const min = model.params.minSamples;
  const own = model.series[seriesKey(deviceId, metric)];
  const type = model.deviceTypes[deviceId];
  const pooled = type === undefined ? undefined : model.types[seriesKey(type, metric)];
  const ownHour = own?.hours[hour];
  if (own && ownHour && ownHour.n >= min)
    return { stats: seriesHourStats(own, windowStart, min), source: 'series-hour' };
  const typeHour = pooled?.hours[hour];
  if (typeHour && typeHour.n >= min) return { stats: typeHour, source: 'type-hour' };
  if (own && own.overall.n >= min) return { stats: own.overall, source: 'series-overall' };
  if (pooled && pooled.overall.n >= min) return { stats: pooled.overall, source: 'type-overall' };
  return undefined;
}

/** Parses an artifact, refusing anything that is not this format (a half-written or foreign file). */
export function parseBaselineModel(text: string): BaselineModel {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BaselineModelError('baseline artifact is not JSON', { cause: err });
  }
  const m = doc as Partial<BaselineModel> | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    m.format !== BASELINE_FORMAT ||
    typeof m.version !== 'string' ||
    typeof m.series !== 'object' ||
    typeof m.types !== 'object' ||
    typeof m.deviceTypes !== 'object' ||
    typeof m.params?.minSamples !== 'number'
  )
    throw new BaselineModelError(`not a ${BASELINE_FORMAT} artifact`);
  return m as BaselineModel;
}
