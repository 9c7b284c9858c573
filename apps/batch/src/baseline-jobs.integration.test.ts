import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Queue } from 'bullmq';
import {
  BaselineFitter,
  BaselineJob,
  FileBaselineStore,
  baselinePath,
  resolveBaseline,
} from '@lambda-iot/anomaly';
import { BatchManifest, batchFilePath } from '@lambda-iot/batch-layer';
import { createRedis } from '@lambda-iot/connections';
import { MINUTE_MS } from '@lambda-iot/core';
import { eventually, testRedisConfig, uniqueName } from '@lambda-iot/testkit';
import { BaselineJobs } from './baseline-jobs';

describe('recompute-baselines job', () => {
  it('fits the published 1m batch view of the last days and points the speed layer at the new version', async () => {
    const prefix = `${uniqueName('liot_baseline')}:`;
    const root = await mkdtemp(join(tmpdir(), 'baseline-job-'));
    const redis = createRedis(testRedisConfig(prefix), { maxRetriesPerRequest: null });
    const connection = { host: '127.0.0.1', port: testRedisConfig(prefix).port, maxRetriesPerRequest: null };
    const now = Date.UTC(2026, 5, 10, 12, 30);
    const hour = Date.UTC(2026, 5, 10, 9);
    // One published hour of the batch view: device d1, temperature around 21 at 09:00 UTC.
    const manifest = new BatchManifest({ redis, keyPrefix: '', root });
    const file = batchFilePath(root, 'h1-g1-test', '1m', hour);
    await mkdir(dirname(file), { recursive: true });
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run(`COPY (SELECT 'd1' AS device_id, 'temperature' AS metric, ${hour} + i * ${MINUTE_MS} AS window_start,
        2::BIGINT AS count, 2 * (21 + (i % 3)) AS sum, 21.0 AS min, 23.0 AS max, 0.0 AS sum_sq,
        21.0 AS first, 0::BIGINT AS first_ts, 21.0 AS last, 0::BIGINT AS last_ts
      FROM range(60) t(i)) TO '${file}' (FORMAT parquet)`);
    db.closeSync();
    await manifest.publishHour(hour, { version: 'h1-g1-test', gen: 1, rows: 60, publishedAt: now });

    const fitter = new BaselineFitter({ threads: 1 });
    const store = new FileBaselineStore({ redis, keyPrefix: '', root });
    const completed: string[] = [];
    const jobs = new BaselineJobs({
      connection,
      queueName: 'anomaly',
      prefix: `${prefix}bull`,
      schedule: '30 0 * * *',
      job: new BaselineJob({
        manifest,
        root,
        fitter,
        store,
        deviceTypes: async () => new Map([['d1', 'pump']]),
        days: 2,
        minSamples: 30,
        now: () => now,
      }),
      onCompleted: (r) => completed.push(r.version),
    });
    try {
      await jobs.start();
      await jobs.enqueueNow();
      await eventually(() => expect(completed).toHaveLength(1), { timeoutMs: 20_000 });
      const version = await store.currentVersion();
      expect(version).toBe(completed[0]);
      const model = JSON.parse(await readFile(baselinePath(root, version!), 'utf8'));
      expect(model).toMatchObject({
        from: Date.UTC(2026, 5, 8, 12), // whole hours: two days before the current hour
        to: Date.UTC(2026, 5, 10, 12),
      });
      expect(resolveBaseline(model, 'd1', 'temperature', hour + 86_400_000)).toEqual({
        stats: { median: 22, mad: 1, n: 60 },
        source: 'series-hour',
      });
      // the daily run is registered as a job scheduler
      const queue = new Queue('anomaly', { connection, prefix: `${prefix}bull` });
      expect((await queue.getJobSchedulers()).map((s) => s.key)).toContain('recompute-baselines-daily');
      await queue.close();
    } finally {
      await jobs.close();
      await fitter.close();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys.map((k) => k.slice(prefix.length)));
      redis.disconnect();
      await rm(root, { recursive: true, force: true });
    }
  });
});
