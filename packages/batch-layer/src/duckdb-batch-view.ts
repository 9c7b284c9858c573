// Reads the published batch view: the manifest names the files, DuckDB reads only those, pruned by row groups.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { fileListSql } from '@lambda-iot/archive';
import { DAY_MS, HOUR_MS, ValidationError, type Resolution } from '@lambda-iot/core';
import type { BatchView, FleetView, FleetWindow, SeriesKey, WindowPoint } from '@lambda-iot/views';
import { rollupSql, viewAsStructsSql, viewSelectSql } from './aggregate-sql';
import { batchFilePath } from './batch-layout';
import type { BatchManifest } from './batch-manifest';
import { dayField, hoursOfDay, isDayCurrent, parseDayEntry, type HourEntry } from './manifest';

/** One window of one device in a fleet answer (views' `FleetWindow`). */
export type FleetPoint = FleetWindow;

export interface DuckDbBatchViewOptions {
  root: string;
  manifest: BatchManifest;
  /** DuckDB threads for reads. */
  threads?: number;
  /** Refuse queries spanning more hours than this (1m and 1h); callers split longer ranges or use 1d. */
  maxHours?: number;
}

/**
 * Every query reads the manifest once (one HMGET, a consistent snapshot), so it sees each hour either before
 * or after a recompute, never half of one. Files are named by the manifest only, never by listing directories.
 */
export class DuckDbBatchView implements BatchView, FleetView {
  readonly source = 'batch' as const;
  private instance: Promise<DuckDBInstance> | undefined;

  constructor(private readonly options: DuckDbBatchViewOptions) {}

  async readSeries(key: SeriesKey, resolution: Resolution, from: number, to: number): Promise<WindowPoint[]> {
    const rows = await this.query(resolution, from, to, 'device_id = $device AND metric = $metric', {
      device: key.deviceId,
      metric: key.metric,
    });
    return rows.map((r) => ({ windowStart: r.windowStart, aggregate: r.aggregate }));
  }

  /** Every device's windows of one metric in [from, to), sorted by device then window; for fleet queries. */
  async readFleet(
    metric: string,
    resolution: Resolution,
    from: number,
    to: number,
    deviceIds?: readonly string[],
  ): Promise<FleetPoint[]> {
    if (deviceIds !== undefined && deviceIds.length === 0) return [];
    const params: Record<string, string> = { metric };
    let where = 'metric = $metric';
    if (deviceIds !== undefined) {
      const names = deviceIds.map((_, i) => `$d${i}`);
      deviceIds.forEach((d, i) => (params[`d${i}`] = d));
      where += ` AND device_id IN (${names.join(', ')})`;
    }
    return this.query(resolution, from, to, where, params);
  }

  async close(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    if (instance) (await instance).closeSync();
  }

  /** The files answering [from, to) at `resolution`, as the manifest names them right now. */
  async resolveFiles(
    resolution: Resolution,
    from: number,
    to: number,
  ): Promise<{ direct: string[]; rollupFromHours: string[] }> {
    if (to <= from) return { direct: [], rollupFromHours: [] };
    if (resolution !== '1d') {
      const hours = hoursIn(from, to, this.options.maxHours ?? 24 * 400);
      const entries = await this.options.manifest.hourEntries(hours);
      return {
        direct: [...entries].map(([h, e]) => batchFilePath(this.options.root, e.version, resolution, h)),
        rollupFromHours: [],
      };
    }
    // 1d: a day's rollup file if it still matches the published hours, else the day's 1h files rolled up here.
    const days: number[] = [];
    for (let d = Math.floor(from / DAY_MS) * DAY_MS; d < to; d += DAY_MS) days.push(d);
    const allHours = days.flatMap(hoursOfDay);
    const [hourEntries, dayRaw] = await Promise.all([
      this.options.manifest.hourEntries(allHours),
      this.options.manifest.rawFields(days.map(dayField)),
    ]);
    const direct: string[] = [];
    const rollupFromHours: string[] = [];
    days.forEach((d, i) => {
      const dayHours = new Map<number, HourEntry>();
      for (const h of hoursOfDay(d)) {
        const e = hourEntries.get(h);
        if (e !== undefined) dayHours.set(h, e);
      }
      if (dayHours.size === 0) return;
      const day = parseDayEntry(dayRaw[i]);
      if (day !== undefined && isDayCurrent(day, d, dayHours))
        direct.push(batchFilePath(this.options.root, day.version, '1d', d));
      else
        for (const [h, e] of dayHours)
          rollupFromHours.push(batchFilePath(this.options.root, e.version, '1h', h));
    });
    return { direct, rollupFromHours };
  }

  private async query(
    resolution: Resolution,
    from: number,
    to: number,
    where: string,
    params: Record<string, string>,
  ): Promise<FleetPoint[]> {
    const { direct, rollupFromHours } = await this.resolveFiles(resolution, from, to);
    const parts: string[] = [];
    if (direct.length > 0) {
      parts.push(`SELECT * FROM read_parquet(${fileListSql(direct)}, hive_partitioning = false)
        WHERE ${where} AND window_start >= ${Math.trunc(from)} AND window_start < ${Math.trunc(to)}`);
    }
    if (rollupFromHours.length > 0) {
      const hourly = `(SELECT * FROM (${viewAsStructsSql(rollupFromHours)}) WHERE ${where})`;
      parts.push(`SELECT * FROM (${viewSelectSql(`(${rollupSql(hourly, DAY_MS)})`)})
        WHERE window_start >= ${Math.trunc(from)} AND window_start < ${Math.trunc(to)}`);
    }
    if (parts.length === 0) return [];
    const sql = `SELECT device_id, metric, window_start, count, sum, min, max, sum_sq, first, first_ts, last, last_ts
      FROM (${parts.join(' UNION ALL ')}) ORDER BY device_id, window_start`;
    const db = await this.connect();
    try {
      const reader = await db.runAndReadAll(sql, params);
      return reader.getRows().map((row) => ({
        deviceId: row[0] as string,
        windowStart: Number(row[2]),
        aggregate: {
          count: Number(row[3]),
          sum: row[4] as number,
          min: row[5] as number,
          max: row[6] as number,
          sumSq: row[7] as number,
          first: row[8] as number,
          firstTs: Number(row[9]),
          last: row[10] as number,
          lastTs: Number(row[11]),
        },
      }));
    } finally {
      db.closeSync();
    }
  }

  private async connect(): Promise<DuckDBConnection> {
    this.instance ??= DuckDBInstance.create(':memory:', { threads: String(this.options.threads ?? 2) });
    return (await this.instance).connect();
  }
}

function hoursIn(from: number, to: number, maxHours: number): number[] {
  const first = Math.floor(from / HOUR_MS) * HOUR_MS;
  const n = Math.ceil((to - first) / HOUR_MS);
  if (n > maxHours)
    throw new ValidationError(`range spans ${n} hours, more than ${maxHours}; use 1d or split it`);
  return Array.from({ length: n }, (_, i) => first + i * HOUR_MS);
}
