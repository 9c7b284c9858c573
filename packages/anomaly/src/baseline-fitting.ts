// The baseline fit in plain TypeScript: the specification the DuckDB fitter is checked against, and small fits.
import {
  BASELINE_FORMAT,
  hourOfDay,
  seasonalCurveAt,
  seriesKey,
  type BaselineModel,
  type SeasonalBaseline,
} from './baseline-model';
import { robustStatsOf } from './robust-stats';

/** The mean of one closed 1-minute window. */
export interface MinuteMean {
  deviceId: string;
  metric: string;
  windowStart: number;
  mean: number;
}

export interface FitRequest {
  version: string;
  fittedAt: number;
  from: number;
  to: number;
  days: number;
  minSamples: number;
  /** Device id → type (the registry's `type` tag); devices without one get no type fallback. */
  deviceTypes: ReadonlyMap<string, string>;
}

/** Fits every series and every (type, metric) pool from 1-minute means in [from, to). */
export function fitBaselineModel(means: Iterable<MinuteMean>, request: FitRequest): BaselineModel {
  const bySeries = new Map<string, number[][]>();
  const byType = new Map<string, number[][]>();
  const add = (map: Map<string, number[][]>, key: string, hour: number, v: number): void => {
    let hours = map.get(key);
    if (hours === undefined) {
      hours = Array.from({ length: 24 }, () => []);
      map.set(key, hours);
    }
    hours[hour]!.push(v);
  };
  const kept: MinuteMean[] = [];
  for (const m of means) {
    if (m.windowStart < request.from || m.windowStart >= request.to || !Number.isFinite(m.mean)) continue;
    kept.push(m);
    const hour = hourOfDay(m.windowStart);
    add(bySeries, seriesKey(m.deviceId, m.metric), hour, m.mean);
    const type = request.deviceTypes.get(m.deviceId);
    if (type !== undefined) add(byType, seriesKey(type, m.metric), hour, m.mean);
  }
  const series = seasonal(bySeries);
  addResiduals(series, kept, request.minSamples);
  return {
    format: BASELINE_FORMAT,
    version: request.version,
    fittedAt: request.fittedAt,
    from: request.from,
    to: request.to,
    params: { days: request.days, minSamples: request.minSamples },
    series,
    types: seasonal(byType),
    deviceTypes: Object.fromEntries(request.deviceTypes),
  };
}

/**
 * Each series' residuals around its seasonal curve, per hour of day. Pools get none: their devices' cycles are
 * out of phase, so a pooled curve would describe no device.
 */
function addResiduals(
  series: Record<string, SeasonalBaseline>,
  means: readonly MinuteMean[],
  minSamples: number,
): void {
  const residuals = new Map<string, number[][]>();
  for (const m of means) {
    const key = seriesKey(m.deviceId, m.metric);
    const curve = seasonalCurveAt(series[key]!.hours, m.windowStart, minSamples);
    if (curve === undefined) continue;
    let hours = residuals.get(key);
    if (hours === undefined) residuals.set(key, (hours = Array.from({ length: 24 }, () => [])));
    hours[hourOfDay(m.windowStart)]!.push(m.mean - curve);
  }
  for (const [key, hours] of residuals)
    series[key]!.residuals = hours.map((values) => robustStatsOf(values) ?? null);
}

function seasonal(map: Map<string, number[][]>): Record<string, SeasonalBaseline> {
  const out: Record<string, SeasonalBaseline> = {};
  for (const [key, hours] of map) {
    out[key] = {
      hours: hours.map((values) => robustStatsOf(values) ?? null),
      overall: robustStatsOf(hours.flat())!,
    };
  }
  return out;
}
