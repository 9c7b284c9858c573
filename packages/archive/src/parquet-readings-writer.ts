// Writes buffered readings as one Parquet file through a DuckDB appender and COPY, atomically.
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ArchiveError } from './errors';
import { publishFile, tempPathFor } from './durable-file';
import type { ReadingRows } from './reading-rows';

// The staging table holds the integer columns as DOUBLE: appending a JS number as a double skips a BigInt per
// value, a third of the appender's cost. Every value is a safe integer (validated, or a Kafka offset/timestamp),
// so the casts in the COPY are exact and the file has ARCHIVE_COLUMNS_SQL's types.
const STAGE_COLUMNS_SQL =
  'device_id VARCHAR, metric VARCHAR, ts DOUBLE, value DOUBLE, seq DOUBLE, kafka_offset DOUBLE, ingest_ts DOUBLE';

/** SQL string literal: paths are ours, but a quote in an archive root must not break the statement. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
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

  constructor(
    private readonly connection: DuckDBConnection,
    tableSuffix = '0',
  ) {
    this.table = `archive_stage_${tableSuffix.replace(/[^A-Za-z0-9_]/g, '_')}`;
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
        this.prepared = true;
      } else {
        await this.connection.run(`TRUNCATE ${this.table}`);
      }
      const appender = await this.connection.createAppender(this.table, 'main', 'temp');
      for (const i of indices) {
        appender.appendVarchar(rows.deviceId[i] as string);
        appender.appendVarchar(rows.metric[i] as string);
        appender.appendDouble(rows.ts[i] as number);
        appender.appendDouble(rows.value[i] as number);
        const seq = rows.seq[i];
        if (seq === null || seq === undefined) appender.appendNull();
        else appender.appendDouble(seq);
        appender.appendDouble(rows.kafkaOffset[i] as number);
        appender.appendDouble(rows.ingestTs[i] as number);
        appender.endRow();
      }
      appender.closeSync();
      await mkdir(dirname(finalPath), { recursive: true });
      const temp = tempPathFor(finalPath);
      try {
        await this.connection.run(
          `COPY (SELECT device_id, metric, ts::BIGINT AS ts, value, seq::BIGINT AS seq,
            ${rows.kafkaPartition}::INTEGER AS kafka_partition, kafka_offset::BIGINT AS kafka_offset,
            ingest_ts::BIGINT AS ingest_ts FROM ${this.table})
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
}
