import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '@lambda-iot/core';
import { BaselineFitter, minuteFilesFor } from './baseline-fitter';
import { fitBaselineModel, type MinuteMean } from './baseline-fitting';

const DAY0 = Date.UTC(2026, 0, 1);

/** Deterministic pseudo-random means with a daily cycle and a few outliers. */
function history(): Array<MinuteMean & { count: number }> {
  const out: Array<MinuteMean & { count: number }> = [];
  let x = 12345;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const deviceId of ['a', 'b', 'c'])
    for (const metric of ['temp', 'hum'])
      for (let t = DAY0; t < DAY0 + 3 * DAY_MS; t += MINUTE_MS) {
        if (deviceId === 'c' && (t - DAY0) % DAY_MS >= 6 * HOUR_MS) continue; // c: mornings only
        const hour = ((t - DAY0) % DAY_MS) / HOUR_MS;
        const mean = 10 * Math.sin(hour / 4) + rnd() + (rnd() < 0.01 ? 50 : 0);
        out.push({ deviceId, metric, windowStart: t, mean, count: 1 + Math.floor(rnd() * 6) });
      }
  return out;
}

describe('BaselineFitter (DuckDB over batch-view files)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'baseline-fitter-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('fits exactly what the TypeScript specification fits from the same 1-minute means', async () => {
    const rows = history();
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run(`CREATE TABLE v (device_id VARCHAR, metric VARCHAR, window_start BIGINT, count BIGINT, sum DOUBLE,
      min DOUBLE, max DOUBLE, sum_sq DOUBLE, first DOUBLE, first_ts BIGINT, last DOUBLE, last_ts BIGINT)`);
    const appender = await db.createAppender('v');
    for (const r of rows) {
      const sum = r.mean * r.count;
      appender.appendVarchar(r.deviceId);
      appender.appendVarchar(r.metric);
      appender.appendBigInt(BigInt(r.windowStart));
      appender.appendBigInt(BigInt(r.count));
      for (const v of [sum, r.mean, r.mean, sum * r.mean]) appender.appendDouble(v);
      appender.appendDouble(r.mean);
      appender.appendBigInt(BigInt(r.windowStart));
      appender.appendDouble(r.mean);
      appender.appendBigInt(BigInt(r.windowStart));
      appender.endRow();
    }
    appender.closeSync();
    const files = [join(dir, 'day1.parquet'), join(dir, 'rest.parquet')];
    await db.run(
      `COPY (SELECT * FROM v WHERE window_start < ${DAY0 + DAY_MS}) TO '${files[0]}' (FORMAT parquet)`,
    );
    await db.run(
      `COPY (SELECT * FROM v WHERE window_start >= ${DAY0 + DAY_MS}) TO '${files[1]}' (FORMAT parquet)`,
    );
    db.closeSync();

    const request = {
      version: 'v1',
      fittedAt: DAY0 + 3 * DAY_MS,
      from: DAY0 + HOUR_MS, // the first hour is outside the fitted range
      to: DAY0 + 3 * DAY_MS,
      days: 3,
      minSamples: 30,
      deviceTypes: new Map([
        ['a', 'pump'],
        ['b', 'pump'],
        ['c', 'hvac'],
      ]),
    };
    const fitter = new BaselineFitter({ threads: 1 });
    try {
      const fitted = await fitter.fit({ ...request, files });
      const expected = fitBaselineModel(
        rows.map((r) => ({
          deviceId: r.deviceId,
          metric: r.metric,
          windowStart: r.windowStart,
          mean: (r.mean * r.count) / r.count,
        })),
        request,
      );
      expect(Object.keys(fitted.series).sort()).toEqual(Object.keys(expected.series).sort());
      expect(Object.keys(fitted.types).sort()).toEqual(['hvac|hum', 'hvac|temp', 'pump|hum', 'pump|temp']);
      for (const [kind, key] of [
        ['series', 'a|temp'],
        ['series', 'c|hum'],
        ['types', 'pump|temp'],
        ['types', 'hvac|hum'],
      ] as const) {
        const got = fitted[kind][key]!;
        const want = expected[kind][key]!;
        expect(got.overall.n).toBe(want.overall.n);
        expect(got.overall.median).toBeCloseTo(want.overall.median, 9);
        expect(got.overall.mad).toBeCloseTo(want.overall.mad, 9);
        got.hours.forEach((h, i) => {
          const w = want.hours[i];
          if (w === null || w === undefined) expect(h).toBeNull();
          else {
            expect(h!.n).toBe(w.n);
            expect(h!.median).toBeCloseTo(w.median, 9);
            expect(h!.mad).toBeCloseTo(w.mad, 9);
          }
        });
        (got.residuals ?? []).forEach((r, i) => {
          const w = want.residuals?.[i];
          if (w === null || w === undefined) expect(r).toBeNull();
          else {
            expect(r!.n).toBe(w.n);
            expect(r!.median).toBeCloseTo(w.median, 9);
            expect(r!.mad).toBeCloseTo(w.mad, 9);
          }
        });
        expect(got.residuals === undefined).toBe(want.residuals === undefined);
      }
      expect(fitted.series['a|temp']!.residuals).toBeDefined();
      expect(fitted.types['pump|temp']!.residuals).toBeUndefined();
      expect(fitted.series['c|temp']!.hours[12]).toBeNull();
    } finally {
      await fitter.close();
    }
  });

  it('without files the model is empty but valid', async () => {
    const fitter = new BaselineFitter();
    const model = await fitter.fit({
      files: [],
      version: 'v0',
      fittedAt: 0,
      from: 0,
      to: 1,
      days: 1,
      minSamples: 1,
      deviceTypes: new Map([['a', 'pump']]),
    });
    expect(model).toMatchObject({ series: {}, types: {}, deviceTypes: { a: 'pump' } });
    await fitter.close();
  });

  it('names the published 1m file of every hour of the range the manifest has', async () => {
    const manifest = {
      hourEntries: async (hours: readonly number[]) => {
        expect(hours).toEqual([DAY0, DAY0 + HOUR_MS, DAY0 + 2 * HOUR_MS]);
        return new Map([[DAY0 + HOUR_MS, { version: 'h1-g1-ab', gen: 1, rows: 3 }]]) as never;
      },
    };
    expect(await minuteFilesFor(manifest, '/arch', DAY0 + 5 * MINUTE_MS, DAY0 + 2 * HOUR_MS + 1)).toEqual([
      '/arch/batch/v=h1-g1-ab/res=1m/date=2026-01-01/hour=01/part-0.parquet',
    ]);
  });
});
