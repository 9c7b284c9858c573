// The batch view's SQL: dedup of raw readings and the aggregates, with core's first/last tie-break.
import { fileListSql, sqlString } from '@lambda-iot/archive';

/** Columns of every batch-view file, in order; window_start, first_ts and last_ts are epoch ms. */
export const VIEW_COLUMNS =
  'device_id, metric, window_start, count, sum, min, max, sum_sq, first, first_ts, last, last_ts';

/**
 * 1-minute aggregates of deduplicated readings. A duplicate is the same (device_id, metric, ts, seq), where
 * a null seq equals a null seq (GROUP BY treats NULLs as one group); of duplicates disagreeing in value the
 * one with the lowest (kafka_partition, kafka_offset) is kept. first/last are min/max over {ts, v} structs: the
 * smallest and largest (ts, value) pairs, core's tie-break (readings with equal ts and different seq both
 * count). `+ 0.0` on each result folds -0 into 0 as core does; once per window, not per reading, as a zero of
 * either sign compares equal to the other and only a sum of zeros alone can end up -0.
 */
export function minuteAggregatesSql(files: readonly string[]): string {
  return minuteAggregatesOfSql(readArchiveSql(files));
}

/** `minuteAggregatesSql` over any relation with the archive's columns (e.g. `suspectRowsSql`). */
export function minuteAggregatesOfSql(relation: string): string {
  return `
WITH dedup AS (
  SELECT device_id, metric, ts, arg_min(value, {'p': kafka_partition, 'o': kafka_offset}) AS v
  FROM ${relation}
  GROUP BY device_id, metric, ts, seq
)
${windowAggregatesSql('dedup')}`;
}

/**
 * The deduplicated readings of a relation with the archive's columns, as `minuteAggregatesOfSql` keeps them: one
 * row per (device_id, metric, ts, seq) with the value `v` of its copy with the lowest (kafka_partition,
 * kafka_offset), and that copy's coordinates as `src`.
 */
export function dedupRowsSql(relation: string): string {
  return `SELECT device_id, metric, ts, seq, arg_min(value, {'p': kafka_partition, 'o': kafka_offset}) AS v,
  min({'p': kafka_partition, 'o': kafka_offset}) AS src
FROM ${relation}
GROUP BY device_id, metric, ts, seq`;
}

/** 1-minute aggregates (f/l struct form) of readings with unique keys, as columns (device_id, metric, ts, v). */
export function windowAggregatesSql(rows: string): string {
  return `SELECT device_id, metric, ts - ts % 60000 AS window_start,
  count(*)::BIGINT AS count, sum(v) + 0.0 AS sum, min(v) + 0.0 AS min, max(v) + 0.0 AS max, sum(v * v) AS sum_sq,
  ${foldedStruct('min')} AS f, ${foldedStruct('max')} AS l
FROM ${rows}
GROUP BY device_id, metric, window_start`;
}

/** Join condition of two relations of readings on the dedup key; a null seq equals a null seq, as in GROUP BY. */
function sameKeySql(a: string, b: string): string {
  return `${a}.device_id = ${b}.device_id AND ${a}.metric = ${b}.metric AND ${a}.ts = ${b}.ts
  AND ${a}.seq IS NOT DISTINCT FROM ${b}.seq`;
}

/**
 * The rows of `rowsTable` (`dedupRowsSql`) whose key also occurs among the rows of `proven` outside `devices`,
 * with that copy's coordinates as `proven_src`. The table is the small side: the proven rows only probe it.
 */
export function provenCopiesSql(
  rowsTable: string,
  proven: readonly string[],
  devices: readonly string[],
): string {
  return `SELECT r.device_id, r.metric, r.ts, r.seq, r.src, {'p': o.kafka_partition, 'o': o.kafka_offset} AS proven_src
FROM ${rowsTable} r
JOIN (SELECT device_id, metric, ts, seq, kafka_partition, kafka_offset FROM ${readArchiveSql(proven)}
      WHERE NOT (${deviceInSql(devices)})) o
ON ${sameKeySql('o', 'r')}`;
}

/** The rows of `rowsTable` whose key is not in `copiesTable` (`provenCopiesSql`). */
export function withoutCopiesSql(rowsTable: string, copiesTable: string): string {
  return `(SELECT r.* FROM ${rowsTable} r ANTI JOIN ${copiesTable} c ON ${sameKeySql('c', 'r')})`;
}

function foldedStruct(fn: 'min' | 'max'): string {
  return `{'ts': ${fn}({'ts': ts, 'v': v}).ts, 'v': ${fn}({'ts': ts, 'v': v}).v + 0.0}`;
}

/** The archive files as one relation (the columns of the archive's README). */
export function readArchiveSql(files: readonly string[]): string {
  return `read_parquet(${fileListSql(files)}, hive_partitioning = false)`;
}

/** `device_id` is one of `devices` (false for none). DuckDB pushes an IN list of constants into the scan. */
function deviceInSql(devices: readonly string[]): string {
  return devices.length === 0 ? 'false' : `device_id IN (${devices.map(sqlString).join(', ')})`;
}

/**
 * The same 1-minute aggregates for files with no duplicate key within a partition (`proveHour`): no dedup
 * stage, and, since event times are then unique per series and window, first/last are arg_min and arg_max by ts.
 * `partition_spread` > 0 marks a window with rows of two partitions (a device that moved, e.g. after the topic
 * grew): only there could a duplicate hide, so the caller must fall back to the dedup query.
 */
export function orderedMinuteAggregatesSql(files: readonly string[]): string {
  return `SELECT device_id, metric, ts - ts % 60000 AS window_start,
  count(*)::BIGINT AS count, sum(value) + 0.0 AS sum, min(value) + 0.0 AS min, max(value) + 0.0 AS max,
  sum(value * value) AS sum_sq,
  {'ts': min(ts), 'v': arg_min(value, ts) + 0.0} AS f, {'ts': max(ts), 'v': arg_max(value, ts) + 0.0} AS l,
  max(kafka_partition) - min(kafka_partition) AS partition_spread
FROM ${readArchiveSql(files)}
GROUP BY device_id, metric, window_start`;
}

/**
 * Drops `devices`' windows from an aggregate table: cheaper than filtering the rows before the aggregate, as the
 * filter would be evaluated on every row and the table holds one row per window.
 */
export function deleteDevicesSql(table: string, devices: readonly string[]): string {
  return `DELETE FROM ${table} WHERE ${deviceInSql(devices)}`;
}

/**
 * The rows of `devices` in `proven`, plus every row of `unproven` (not both empty): the part of an hour that goes
 * through the dedup (`minuteAggregatesOfSql`). A relation with the archive's columns.
 */
export function suspectRowsSql(
  proven: readonly string[],
  devices: readonly string[],
  unproven: readonly string[],
): string {
  const cols = 'device_id, metric, ts, value, seq, kafka_partition, kafka_offset';
  const parts = [
    ...(proven.length > 0 && devices.length > 0
      ? [`SELECT ${cols} FROM ${readArchiveSql(proven)} WHERE ${deviceInSql(devices)}`]
      : []),
    ...(unproven.length > 0 ? [`SELECT ${cols} FROM ${readArchiveSql(unproven)}`] : []),
  ];
  return `(${parts.join('\nUNION ALL\n')})`;
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
