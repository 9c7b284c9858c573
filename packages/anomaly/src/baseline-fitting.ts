// The baseline fit in plain TypeScript: the specification the DuckDB fitter is checked against, and small fits.
import {
  BASELINE_FORMAT,
  hourOfDay,
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
  for (const m of means) {
    if (m.windowStart < request.from || m.windowStart >= request.to || !Number.isFinite(m.mean)) continue;
    const hour = hourOfDay(m.windowStart);
    add(bySeries, seriesKey(m.deviceId, m.metric), hour, m.mean);
    const type = request.deviceTypes.get(m.deviceId);
    if (type !== undefined) add(byType, seriesKey(type, m.metric), hour, m.mean);
  }
  return {
    format: BASELINE_FORMAT,
    version: request.version,
    fittedAt: request.fittedAt,
    from: request.from,
    to: request.to,
    params: { days: request.days, minSamples: request.minSamples },
    series: seasonal(bySeries),
    types: seasonal(byType),
    deviceTypes: Object.fromEntries(request.deviceTypes),
  };
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
