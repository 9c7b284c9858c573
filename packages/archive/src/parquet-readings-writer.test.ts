import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDbScratch } from '@lambda-iot/testkit';
import { ParquetReadingsWriter, sqlString } from './parquet-readings-writer';
import { ARCHIVE_COLUMNS_SQL, ReadingRows } from './reading-rows';

describe('ParquetReadingsWriter', () => {
  let scratch: DuckDbScratch;
  let root: string;
  let db: DuckDBConnection;

  beforeEach(async () => {
    scratch = await DuckDbScratch.open('liot-writer-');
    ({ root, db } = scratch);
  });
  afterEach(() => scratch.close());

  /** 5,000 readings of 7 devices × 3 metrics: more than two data chunks, every third without seq. */
  function someRows(): ReadingRows {
    const rows = new ReadingRows(4);
    for (let i = 0; i < 5_000; i++) {
      rows.push(
        `d-${i % 7}`,
        ['t', 'h', 'v'][i % 3] as string,
        1_700_000_000_000 + i,
        i === 9 ? -0 : i / 8,
        i % 3 ? i : null,
        100 + (i >> 4),
        1_700_000_000_500,
      );
    }
    return rows;
  }

  it('writes the archive’s columns and types, the given rows in the given order, a missing seq as NULL', async () => {
    const rows = someRows();
    const indices = Array.from({ length: rows.length }, (_, i) => rows.length - 1 - i).filter(
      (i) => i % 5 !== 0,
    );
    const path = join(root, 'h', 'part-4-100-412.parquet');
    await new ParquetReadingsWriter(db).write(path, rows, indices, { 'lambda_iot.ordered_since': '100' });

    const types = (
      await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)
    ).getRows();
    expect(types.map(([name, type]) => `${String(name)} ${String(type)}`).join(', ')).toBe(
      ARCHIVE_COLUMNS_SQL,
    );
    const read = (await db.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(path)})`)).getRowsJS();
    expect(
      read.map((r) => [
        r[0],
        r[1],
        Number(r[2]),
        r[3],
        r[4] === null ? null : Number(r[4]),
        r[5],
        Number(r[6]),
        Number(r[7]),
      ]),
    ).toEqual(
      indices.map((i) => {
        const row = rows.row(i);
        return [row.deviceId, row.metric, row.ts, row.value, row.seq, 4, row.kafkaOffset, row.ingestTs];
      }),
    );
    const kv = await db.runAndReadAll(`SELECT decode(value) FROM parquet_kv_metadata(${sqlString(path)})`);
    expect(kv.getRows()).toEqual([['100']]);
    // Nothing but the file: its temporary name is gone.
    expect(await readdir(join(root, 'h'))).toEqual(['part-4-100-412.parquet']);
  });

  it('starts each file afresh: a second write holds only its own rows and series', async () => {
    const rows = someRows();
    const writer = new ParquetReadingsWriter(db);
    await writer.write(join(root, 'a.parquet'), rows, [0, 1, 2, 3]);
    await writer.write(join(root, 'b.parquet'), rows, [7, 14]);
    const b = (
      await db.runAndReadAll(
        `SELECT device_id, metric FROM read_parquet(${sqlString(join(root, 'b.parquet'))})`,
      )
    ).getRows();
    expect(b).toEqual([
      ['d-0', 'h'],
      ['d-0', 'v'],
    ]);
  });
});
