// Fits the baseline model with DuckDB over the published 1-minute batch view files (named by the manifest).
import { DuckDBInstance } from '@duckdb/node-api';
import { sqlString } from '@lambda-iot/archive';
import { fileListSql } from '@lambda-iot/archive';
import { batchFilePath, type BatchManifest } from '@lambda-iot/batch-layer';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '@lambda-iot/core';
import { BASELINE_FORMAT, seriesKey, type BaselineModel, type SeasonalBaseline } from './baseline-model';
import type { RobustStats } from './robust-stats';
import type { FitRequest } from './baseline-fitting';

export interface BaselineFitterOptions {
  /** DuckDB threads. */
  threads?: number;
  memoryLimit?: string;
}

export interface FileFitRequest extends FitRequest {
  /** Batch-view 1m Parquet files (the batch view's columns). */
  files: readonly string[];
}

/** The published 1m files of every hour in [from, to) that the manifest has, in one consistent read. */
export async function minuteFilesFor(
  manifest: Pick<BatchManifest, 'hourEntries'>,
  root: string,
  from: number,
  to: number,
): Promise<string[]> {
  const hours: number[] = [];
  for (let h = Math.floor(from / HOUR_MS) * HOUR_MS; h < to; h += HOUR_MS) hours.push(h);
  const entries = await manifest.hourEntries(hours);
  return [...entries].sort((a, b) => a[0] - b[0]).map(([h, e]) => batchFilePath(root, e.version, '1m', h));
}

/**
 * Median and MAD per (series, hour of day) and per series overall in one pass of GROUPING SETS, the same for
 * (device type, metric) pools, and each series' residuals around its seasonal curve per hour of day. DuckDB's `median`/`mad` interpolate like `robustStatsOf`, so the result equals
 * `fitBaselineModel` over the same means (a unit test checks it).
 */
export class BaselineFitter {
  private instance: Promise<DuckDBInstance> | undefined;

  constructor(private readonly options: BaselineFitterOptions = {}) {}

  async fit(request: FileFitRequest): Promise<BaselineModel> {
    const model: BaselineModel = {
      format: BASELINE_FORMAT,
      version: request.version,
      fittedAt: request.fittedAt,
      from: request.from,
      to: request.to,
      params: { days: request.days, minSamples: request.minSamples },
      series: {},
      types: {},
      deviceTypes: Object.fromEntries(request.deviceTypes),
    };
    if (request.files.length === 0) return model;
    const db = await (this.instance ??= DuckDBInstance.create(':memory:', {
      threads: String(this.options.threads ?? 2),
      ...(this.options.memoryLimit ? { memory_limit: this.options.memoryLimit } : {}),
    })).then((i) => i.connect());
    try {
      const means = `SELECT device_id, metric, window_start, (window_start % ${DAY_MS}) // ${HOUR_MS} AS hour,
          sum::DOUBLE / count AS mean
        FROM read_parquet(${fileListSql(request.files)}, hive_partitioning = false)
        WHERE window_start >= ${Math.trunc(request.from)} AND window_start < ${Math.trunc(request.to)}
          AND count > 0 AND isfinite(sum)`;
      const types = [...request.deviceTypes];
      const typed =
        types.length === 0
          ? ''
          : `UNION ALL
        SELECT 't', t.type, m.metric, m.hour, median(m.mean), mad(m.mean), count(*)
        FROM m JOIN (VALUES ${types.map(([d, t]) => `(${sqlString(d)}, ${sqlString(t)})`).join(', ')})
          AS t(device_id, type) USING (device_id)
        GROUP BY GROUPING SETS ((t.type, m.metric, m.hour), (t.type, m.metric))`;
      const min = Math.trunc(request.minSamples);
      // The series' seasonal curve at each mean, as `seasonalCurveAt` computes it: between the medians of the hours
      // whose centres enclose the minute's middle, or the own hour's median where a neighbour has too few means.
      const neighbour = (alias: string, offset: number) =>
        `LEFT JOIN h ${alias} ON ${alias}.device_id = c.device_id AND ${alias}.metric = c.metric
          AND ${alias}.hour = (floor(c.p)::BIGINT + ${offset}) % 24`;
      const residuals = `h AS (SELECT device_id, metric, hour, median(mean) AS med, count(*) AS n
          FROM m GROUP BY device_id, metric, hour),
        c AS (SELECT *, ((window_start + ${MINUTE_MS / 2}) % ${DAY_MS}) / ${HOUR_MS} - 0.5 AS p FROM m),
        r AS (SELECT c.device_id, c.metric, c.hour, c.mean - CASE WHEN lo.n >= ${min} AND hi.n >= ${min}
            THEN lo.med * (1 - (c.p - floor(c.p))) + hi.med * (c.p - floor(c.p)) ELSE own.med END AS residual
          FROM c JOIN h own ON own.device_id = c.device_id AND own.metric = c.metric AND own.hour = c.hour
          ${neighbour('lo', 24)} ${neighbour('hi', 25)}
          WHERE own.n >= ${min})`;
      const sql = `WITH m AS (${means}), ${residuals}
        SELECT 's', device_id, metric, hour, median(mean), mad(mean), count(*)
        FROM m GROUP BY GROUPING SETS ((device_id, metric, hour), (device_id, metric))
        UNION ALL
        SELECT 'r', device_id, metric, hour, median(residual), mad(residual), count(*)
        FROM r GROUP BY device_id, metric, hour
        ${typed}`;
      const rows = (await db.runAndReadAll(sql)).getRows();
      for (const row of rows) {
        const target = row[0] === 't' ? model.types : model.series;
        const key = seriesKey(row[1] as string, row[2] as string);
        const entry = (target[key] ??= emptySeasonal());
        const stats: RobustStats = { median: Number(row[4]), mad: Number(row[5]), n: Number(row[6]) };
        if (row[0] === 'r') (entry.residuals ??= noHours())[Number(row[3])] = stats;
        else if (row[3] === null) entry.overall = stats;
        else entry.hours[Number(row[3])] = stats;
      }
      return model;
    } finally {
      db.closeSync();
    }
  }

  async close(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    if (instance) (await instance).closeSync();
  }
}

function noHours(): Array<RobustStats | null> {
  return Array.from({ length: 24 }, () => null);
}

function emptySeasonal(): SeasonalBaseline {
  return { hours: noHours(), overall: { median: Number.NaN, mad: 0, n: 0 } };
}
