import { aggregateOf, MINUTE_MS, type Reading } from '@lambda-iot/core';
import { DuckDbScratch } from './duckdb-scratch';
import { writeMinuteViewFile } from './minute-view-file';

const T0 = Date.UTC(2026, 4, 1);

/** Two devices, two metrics, readings every 7 s over five minutes, the devices' readings interleaved. */
function readings(): Reading[] {
  const out: Reading[] = [];
  for (let ts = T0; ts < T0 + 5 * MINUTE_MS; ts += 7_000)
    for (const deviceId of ['d1', 'd2'])
      for (const metric of ['temp', 'hum'])
        out.push({ deviceId, metric, ts, value: Math.sin(ts / 1e5) * (metric === 'temp' ? 3 : 40) });
  return out;
}

describe('writeMinuteViewFile', () => {
  let scratch: DuckDbScratch;

  beforeEach(async () => {
    scratch = await DuckDbScratch.open('liot-minute-view-');
  });
  afterEach(() => scratch.close());

  it("writes one row per series and minute holding the aggregate of that minute's readings", async () => {
    const file = `${scratch.root}/1m.parquet`;
    const input = readings();
    const rows = await writeMinuteViewFile(input, file);

    const read = (
      await scratch.db.runAndReadAll(`SELECT * FROM read_parquet('${file}') ORDER BY ALL`)
    ).getRowObjectsJS();
    expect(read).toHaveLength(rows);
    const expected = new Map<string, Reading[]>();
    for (const r of input) {
      const key = `${r.deviceId}|${r.metric}|${r.ts - (r.ts % MINUTE_MS)}`;
      expected.set(key, [...(expected.get(key) ?? []), r]);
    }
    expect(rows).toBe(expected.size);
    for (const row of read) {
      const agg = aggregateOf(expected.get(`${row.device_id}|${row.metric}|${row.window_start}`) ?? []);
      expect({
        count: Number(row.count),
        sum: row.sum,
        min: row.min,
        max: row.max,
        sumSq: row.sum_sq,
        first: row.first,
        firstTs: Number(row.first_ts),
        last: row.last,
        lastTs: Number(row.last_ts),
      }).toEqual(agg);
    }
  });

  it('refuses readings that go back to an earlier minute', async () => {
    const [a, b] = [
      { deviceId: 'd1', metric: 'temp', ts: T0 + MINUTE_MS, value: 1 },
      { deviceId: 'd1', metric: 'temp', ts: T0, value: 2 },
    ];
    await expect(writeMinuteViewFile([a, b], `${scratch.root}/x.parquet`)).rejects.toThrow(RangeError);
  });
});
