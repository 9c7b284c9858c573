// Writes buffered readings as one Parquet file through a DuckDB appender and COPY, atomically.
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ArchiveError } from './errors';
import { publishFile, tempPathFor } from './durable-file';
import { ARCHIVE_COLUMNS_SQL, type ReadingRows } from './reading-rows';

/** SQL string literal: paths are ours, but a quote in an archive root must not break the statement. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
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

  /** Writes rows `indices` of `rows` (in that order) to `finalPath`; the file appears whole or not at all. */
  async write(finalPath: string, rows: ReadingRows, indices: readonly number[]): Promise<void> {
    try {
      if (!this.prepared) {
        await this.connection.run(`CREATE OR REPLACE TEMP TABLE ${this.table} (${ARCHIVE_COLUMNS_SQL})`);
        this.prepared = true;
      } else {
        await this.connection.run(`TRUNCATE ${this.table}`);
      }
      const appender = await this.connection.createAppender(this.table, 'main', 'temp');
      const partition = rows.kafkaPartition;
      for (const i of indices) {
        appender.appendVarchar(rows.deviceId[i] as string);
        appender.appendVarchar(rows.metric[i] as string);
        appender.appendBigInt(BigInt(rows.ts[i] as number));
        appender.appendDouble(rows.value[i] as number);
        const seq = rows.seq[i];
        if (seq === null || seq === undefined) appender.appendNull();
        else appender.appendBigInt(BigInt(seq));
        appender.appendInteger(partition);
        appender.appendBigInt(BigInt(rows.kafkaOffset[i] as number));
        appender.appendBigInt(BigInt(rows.ingestTs[i] as number));
        appender.endRow();
      }
      appender.closeSync();
      await mkdir(dirname(finalPath), { recursive: true });
      const temp = tempPathFor(finalPath);
      try {
        await this.connection.run(
          `COPY ${this.table} TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
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
