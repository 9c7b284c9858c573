// The expected answer, computed independently of the pipeline: DuckDB over the simulator's NDJSON ground truth.
import { DuckDBInstance } from '@duckdb/node-api';
import { RESOLUTION_MS, type Resolution } from '@lambda-iot/core';

export interface ExpectedWindow {
  deviceId: string;
  metric: string;
  t: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  first: number;
  last: number;
}

/** Expected windows keyed `deviceId|metric|t`, one map per resolution. */
export async function expectedWindows(
  ndjsonPath: string,
  resolution: Resolution,
): Promise<Map<string, ExpectedWindow>> {
  const step = RESOLUTION_MS[resolution];
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    const path = ndjsonPath.replace(/'/g, "''");
    // Deduplicated again here on (deviceId, metric, ts, seq) so the oracle does not trust the simulator's own dedup.
    const reader = await db.runAndReadAll(`
      WITH readings AS (
        SELECT DISTINCT deviceId, metric, ts, seq, value
        FROM read_json('${path}', format = 'newline_delimited',
          columns = {deviceId: 'VARCHAR', metric: 'VARCHAR', ts: 'BIGINT', value: 'DOUBLE', seq: 'BIGINT'})
      ), windows AS (
        SELECT deviceId, metric, (ts // ${step}) * ${step} AS t,
          count(*) AS n, sum(value) AS s, min(value) AS lo, max(value) AS hi,
          min({'ts': ts, 'v': value}) AS f, max({'ts': ts, 'v': value}) AS l
        FROM readings GROUP BY ALL
      )
      SELECT deviceId, metric, t::DOUBLE AS t, n::DOUBLE AS n, s, lo, hi, f.v AS first, l.v AS last FROM windows`);
    const out = new Map<string, ExpectedWindow>();
    for (const row of reader.getRowObjectsJS()) {
      const w: ExpectedWindow = {
        deviceId: String(row.deviceId),
        metric: String(row.metric),
        t: Number(row.t),
        count: Number(row.n),
        sum: Number(row.s),
        min: Number(row.lo),
        max: Number(row.hi),
        first: Number(row.first),
        last: Number(row.last),
      };
      out.set(`${w.deviceId}|${w.metric}|${w.t}`, w);
    }
    return out;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}
