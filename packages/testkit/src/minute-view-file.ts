// Writes readings as a 1-minute batch-view Parquet file (the batch view's columns), e.g. history for a baseline fit.
import { DuckDBInstance } from '@duckdb/node-api';
import { addToAggregate, emptyAggregate, windowStart, type Aggregate, type Reading } from '@lambda-iot/core';

/**
 * One row per (device_id, metric, window_start) with the columns the batch view and the baseline fitter read:
 * count, sum, min, max, sum_sq, first, first_ts, last, last_ts. Readings must come minute by minute (in any order
 * within a minute), as a simulator yields them: only the current minute's aggregates are held in memory, so weeks
 * of a fleet's readings stream through. Returns the number of rows written.
 */
export async function writeMinuteViewFile(readings: Iterable<Reading>, file: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    await db.run(`CREATE TABLE v (device_id VARCHAR, metric VARCHAR, window_start BIGINT, count BIGINT, sum DOUBLE,
      min DOUBLE, max DOUBLE, sum_sq DOUBLE, first DOUBLE, first_ts BIGINT, last DOUBLE, last_ts BIGINT)`);
    const appender = await db.createAppender('v');
    let rows = 0;
    let minute = Number.NEGATIVE_INFINITY;
    let open = new Map<string, [Reading, Aggregate]>();
    const flush = (): void => {
      for (const [r, a] of open.values()) {
        appender.appendVarchar(r.deviceId);
        appender.appendVarchar(r.metric);
        appender.appendBigInt(BigInt(minute));
        appender.appendBigInt(BigInt(a.count));
        for (const v of [a.sum, a.min, a.max, a.sumSq]) appender.appendDouble(v);
        appender.appendDouble(a.first);
        appender.appendBigInt(BigInt(a.firstTs));
        appender.appendDouble(a.last);
        appender.appendBigInt(BigInt(a.lastTs));
        appender.endRow();
        rows++;
      }
      open = new Map();
    };
    for (const r of readings) {
      const w = windowStart(r.ts, '1m');
      if (w < minute)
        throw new RangeError(`readings must come minute by minute: ${r.ts} after minute ${minute}`);
      if (w !== minute) {
        flush();
        minute = w;
      }
      const key = `${r.deviceId}|${r.metric}`;
      let entry = open.get(key);
      if (!entry) open.set(key, (entry = [r, emptyAggregate()]));
      addToAggregate(entry[1], r.ts, r.value);
    }
    flush();
    appender.closeSync();
    await db.run(`COPY v TO '${file.replaceAll("'", "''")}' (FORMAT parquet)`);
    return rows;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}
