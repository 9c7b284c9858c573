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
  if (ownHour && ownHour.n >= min) return { stats: ownHour, source: 'series-hour' };
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
