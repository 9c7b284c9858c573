// Writes buffered readings as one Parquet file through a DuckDB appender and COPY, atomically.
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DOUBLE, DuckDBDataChunk, INTEGER, type DuckDBConnection, type DuckDBVector } from '@duckdb/node-api';
import { ArchiveError } from './errors';
import { publishFile, tempPathFor } from './durable-file';
import type { ReadingRows } from './reading-rows';

// The staging table is filled a data chunk at a time: its numeric vectors are written in JS and copied to DuckDB
// once per chunk, where a row appender makes a native call per value (0.3 instead of 0.75 µs per reading). So it
// holds no strings: each (device_id, metric) is a series number, resolved by a join with the small series table
// in the COPY. The integer columns are DOUBLE (a JS number, no BigInt per value) and cast back in the COPY, exact
// as every value is a safe integer (validated, or a Kafka offset/timestamp); a missing seq is NaN (never a valid
// seq) rather than a null, which would cost a validity-mask update per value.
const STAGE_COLUMNS_SQL =
  'series INTEGER, ts DOUBLE, value DOUBLE, seq DOUBLE, kafka_offset DOUBLE, ingest_ts DOUBLE';
const STAGE_TYPES = [INTEGER, DOUBLE, DOUBLE, DOUBLE, DOUBLE, DOUBLE];
type StageVectors = [DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector, DuckDBVector];
const SERIES_COLUMNS_SQL = 'series INTEGER, device_id VARCHAR, metric VARCHAR';
/** Rows per data chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

/** SQL string literal: paths are ours, but a quote in an archive root must not break the statement. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A DuckDB list literal of file paths, for `read_parquet` and `parquet_kv_metadata`. */
export function fileListSql(paths: readonly string[]): string {
  return `[${paths.map(sqlString).join(', ')}]`;
}

/** The `KV_METADATA` option of a Parquet COPY, or nothing for no metadata. */
export function kvMetadataOption(metadata: Readonly<Record<string, string>>): string {
  const entries = Object.entries(metadata);
  if (entries.length === 0) return '';
  return `, KV_METADATA {${entries.map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`).join(', ')}}`;
}

/**
 * One writer per connection (DuckDB connections are not shared between concurrent writers). The staging
 * table is a temp table of this connection, truncated before each file.
 */
export class ParquetReadingsWriter {
  private prepared = false;
  private readonly table: string;
  private readonly seriesTable: string;

  constructor(
    private readonly connection: DuckDBConnection,
    tableSuffix = '0',
  ) {
    const suffix = tableSuffix.replace(/[^A-Za-z0-9_]/g, '_');
    this.table = `archive_stage_${suffix}`;
    this.seriesTable = `archive_series_${suffix}`;
  }

  /**
   * Writes rows `indices` of `rows` (in that order) to `finalPath`; the file appears whole or not at all.
   * `metadata` becomes the file's Parquet key-value metadata.
   */
  async write(
    finalPath: string,
    rows: ReadingRows,
    indices: readonly number[],
    metadata: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    try {
      if (!this.prepared) {
        await this.connection.run(`CREATE OR REPLACE TEMP TABLE ${this.table} (${STAGE_COLUMNS_SQL})`);
        await this.connection.run(`CREATE OR REPLACE TEMP TABLE ${this.seriesTable} (${SERIES_COLUMNS_SQL})`);
        this.prepared = true;
      } else {
        await this.connection.run(`TRUNCATE ${this.table}`);
        await this.connection.run(`TRUNCATE ${this.seriesTable}`);
      }
      await this.stage(rows, indices);
      await mkdir(dirname(finalPath), { recursive: true });
      const temp = tempPathFor(finalPath);
      try {
        // ORDER BY rowid keeps the rows in the order given (offset order), whatever order the join emits.
        await this.connection.run(
          `COPY (SELECT s.device_id, s.metric, r.ts::BIGINT AS ts, r.value,
              CASE WHEN isnan(r.seq) THEN NULL ELSE r.seq END::BIGINT AS seq,
              ${rows.kafkaPartition}::INTEGER AS kafka_partition, r.kafka_offset::BIGINT AS kafka_offset,
              r.ingest_ts::BIGINT AS ingest_ts
            FROM ${this.table} r JOIN ${this.seriesTable} s USING (series) ORDER BY r.rowid)
           TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880${kvMetadataOption(metadata)})`,
        );
        await publishFile(temp, finalPath);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    } catch (err) {
      throw new ArchiveError(`writing ${finalPath}: ${err instanceof Error ? err.message : String(err)}`, {
        code: 'archive_write',
        cause: err,
      });
    }
  }

  /** Fills the staging table in data chunks, numbering each series on first sight, then the series table. */
  private async stage(rows: ReadingRows, indices: readonly number[]): Promise<void> {
    const numbers = new Map<string, Map<string, number>>();
    const seriesDevice: string[] = [];
    const seriesMetric: string[] = [];
    const appender = await this.connection.createAppender(this.table, 'main', 'temp');
    const chunk = DuckDBDataChunk.create(STAGE_TYPES, CHUNK_ROWS);
    const vectors = STAGE_TYPES.map((_, k) => chunk.getColumnVector(k)) as StageVectors;
    const [series, ts, value, seq, offset, ingest] = vectors;
    let n = 0;
    const append = (): void => {
      for (const vector of vectors) vector.flush();
      chunk.rowCount = n;
      appender.appendDataChunk(chunk);
      n = 0;
    };
    for (const i of indices) {
      const deviceId = rows.deviceId[i] as string;
      const metric = rows.metric[i] as string;
      let byMetric = numbers.get(deviceId);
      if (byMetric === undefined) numbers.set(deviceId, (byMetric = new Map()));
      let number = byMetric.get(metric);
      if (number === undefined) {
        number = seriesDevice.length;
        byMetric.set(metric, number);
        seriesDevice.push(deviceId);
        seriesMetric.push(metric);
      }
      series.setItem(n, number);
      ts.setItem(n, rows.ts[i] as number);
      value.setItem(n, rows.value[i] as number);
      seq.setItem(n, rows.seq[i] ?? Number.NaN);
      offset.setItem(n, rows.kafkaOffset[i] as number);
      ingest.setItem(n, rows.ingestTs[i] as number);
      if (++n === CHUNK_ROWS) append();
    }
    if (n > 0) append();
    appender.closeSync();
    const names = await this.connection.createAppender(this.seriesTable, 'main', 'temp');
    for (let k = 0; k < seriesDevice.length; k++) {
      names.appendInteger(k);
      names.appendVarchar(seriesDevice[k] as string);
      names.appendVarchar(seriesMetric[k] as string);
      names.endRow();
    }
    names.closeSync();
  }
}
