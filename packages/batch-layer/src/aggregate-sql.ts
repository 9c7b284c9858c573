// The batch view's SQL: dedup of raw readings and the aggregates, with core's first/last tie-break.
import { sqlString } from '@lambda-iot/archive';

/** Columns of every batch-view file, in order; window_start, first_ts and last_ts are epoch ms. */
export const VIEW_COLUMNS =
  'device_id, metric, window_start, count, sum, min, max, sum_sq, first, first_ts, last, last_ts';

export function fileListSql(paths: readonly string[]): string {
  return `[${paths.map(sqlString).join(', ')}]`;
}

/**
 * 1-minute aggregates of deduplicated readings. A duplicate is the same (device_id, metric, ts, seq), where
 * a null seq equals a null seq (GROUP BY treats NULLs as one group); of duplicates disagreeing in value the
 * one with the lowest (kafka_partition, kafka_offset) is kept. `+ 0.0` folds -0 into 0 as core does.
 * first/last are min/max over {ts, v} structs: the smallest and largest (ts, value) pairs, core's tie-break.
 */
export function minuteAggregatesSql(files: readonly string[]): string {
  return `
WITH dedup AS (
  SELECT device_id, metric, ts, arg_min(value, {'p': kafka_partition, 'o': kafka_offset}) + 0.0 AS v
  FROM read_parquet(${fileListSql(files)}, hive_partitioning = false)
  GROUP BY device_id, metric, ts, seq
)
SELECT device_id, metric, ts - ts % 60000 AS window_start,
  count(*)::BIGINT AS count, sum(v) AS sum, min(v) AS min, max(v) AS max, sum(v * v) AS sum_sq,
  min({'ts': ts, 'v': v}) AS f, max({'ts': ts, 'v': v}) AS l
FROM dedup
GROUP BY device_id, metric, window_start`;
}

/** Rolls aggregates with f/l structs up to `sizeMs` windows; the input relation must have the columns above. */
export function rollupSql(relation: string, sizeMs: number): string {
  return `
SELECT device_id, metric, window_start - window_start % ${sizeMs} AS window_start,
  sum(count)::BIGINT AS count, sum(sum) AS sum, min(min) AS min, max(max) AS max, sum(sum_sq) AS sum_sq,
  min(f) AS f, max(l) AS l
FROM ${relation}
GROUP BY ALL`;
}

/** Flattens f/l structs into the file columns, sorted so row-group statistics prune by series. */
export function viewSelectSql(relation: string): string {
  return `SELECT device_id, metric, window_start, count, sum, min, max, sum_sq,
  f.v AS first, f.ts AS first_ts, l.v AS last, l.ts AS last_ts
FROM ${relation} ORDER BY device_id, metric, window_start`;
}

/** Reads batch-view files back into the f/l struct form, so stored views roll up like fresh ones. */
export function viewAsStructsSql(files: readonly string[]): string {
  return `SELECT device_id, metric, window_start, count, sum, min, max, sum_sq,
  {'ts': first_ts, 'v': first} AS f, {'ts': last_ts, 'v': last} AS l
FROM read_parquet(${fileListSql(files)}, hive_partitioning = false)`;
}
