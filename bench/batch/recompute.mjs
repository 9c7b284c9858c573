// Benchmark: one hour of readings recomputed by the batch job, against the bare DuckDB query over the same files.
// Usage (after `npm run build`): node bench/batch/recompute.mjs [readings=10000000] [rounds=2]
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { DuckDBInstance } = require('@duckdb/node-api');
const { BatchComputer, minuteAggregatesSql } = require('@lambda-iot/batch-layer');
const { layerKeys, readingsHourDir, archiveFileName } = require('@lambda-iot/archive');
const { createRedis } = require('@lambda-iot/connections');

const N = Number(process.argv[2] ?? 10_000_000);
const ROUNDS = Number(process.argv[3] ?? 2);
const FILES = 10;
const H = Date.UTC(2026, 0, 1, 12);
const root = resolve(fileURLToPath(new URL('../out', import.meta.url)), `batch-${Date.now()}`);
const prefix = `liot_bench_${Date.now().toString(36)}:`;

const redis = createRedis(
  {
    host: '127.0.0.1',
    port: Number(process.env.REDIS_PORT ?? 6379),
    db: 0,
    tls: { enabled: false, rejectUnauthorized: true },
    keyPrefix: prefix,
  },
  { maxRetriesPerRequest: null },
);

async function generate() {
  const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
  const db = await inst.connect();
  const dir = readingsHourDir(root, H);
  await mkdir(dir, { recursive: true });
  const per = Math.ceil(N / FILES);
  const files = [];
  // 2,000 devices x 2 metrics, readings spread over the hour, 10% without seq; the last file re-sends 5% of them
  // (duplicates the job must drop), so the job reads N × 1.05 rows.
  for (let k = 0; k <= FILES; k++) {
    const dup = k === FILES;
    const from = dup ? 0 : k * per;
    const to = dup ? N : Math.min(N, (k + 1) * per);
    const where = dup ? 'WHERE i % 20 = 0' : '';
    const name = archiveFileName({ partition: dup ? 9 : k, firstOffset: from, lastOffset: to - 1 });
    const path = join(dir, name);
    await db.run(`COPY (SELECT 'dev-' || (i % 2000) AS device_id,
        CASE WHEN i % 3 = 0 THEN 'humidity' ELSE 'temperature' END AS metric,
        (${H} + (i * 7919) % 3600000)::BIGINT AS ts, ((i * 31) % 10000) / 100.0 AS value,
        CASE WHEN i % 10 = 0 THEN NULL ELSE i END::BIGINT AS seq, ${dup ? 9 : k}::INTEGER AS kafka_partition,
        i::BIGINT AS kafka_offset, ${H}::BIGINT AS ingest_ts
      FROM range(${from}, ${to}) t(i) ${where}) TO '${path}' (FORMAT parquet, COMPRESSION zstd)`);
    files.push(path);
  }
  const rows = Number(
    (
      await db.runAndReadAll(`SELECT count(*) FROM read_parquet([${files.map((f) => `'${f}'`).join(',')}])`)
    ).getRows()[0][0],
  );
  db.closeSync();
  inst.closeSync();
  return { files, rows };
}

async function bare(files) {
  const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
  const db = await inst.connect();
  const t0 = performance.now();
  await db.run(`CREATE TEMP TABLE bare AS ${minuteAggregatesSql(files)}`);
  const ms = performance.now() - t0;
  const windows = Number((await db.runAndReadAll('SELECT count(*) FROM bare')).getRows()[0][0]);
  db.closeSync();
  inst.closeSync();
  return { ms, windows };
}

async function job() {
  const computer = new BatchComputer({ root, redis, keyPrefix: prefix, threads: 2 });
  await redis.hset(layerKeys(prefix).hourGenerations, String(H), '1');
  const t0 = performance.now();
  const result = await computer.recomputeHour(H);
  const ms = performance.now() - t0;
  await computer.close();
  return { ms, windows: result.rows1m, published: result.published };
}

try {
  const g0 = performance.now();
  const { files, rows } = await generate();
  console.error(
    `generated ${rows} rows in ${files.length} files in ${Math.round(performance.now() - g0)} ms`,
  );
  const results = [];
  for (let r = 0; r < ROUNDS; r++) {
    const b = await bare(files);
    const j = await job();
    if (b.windows !== j.windows)
      throw new Error(`bare and job disagree: ${b.windows} vs ${j.windows} windows`);
    results.push({ bareMs: b.ms, jobMs: j.ms, windows: j.windows });
    console.error(
      `round ${r + 1}: bare ${Math.round(b.ms)} ms, job ${Math.round(j.ms)} ms, ${j.windows} 1m windows`,
    );
  }
  const best = (k) => Math.min(...results.map((x) => x[k]));
  const bareMs = best('bareMs');
  const jobMs = best('jobMs');
  console.log(
    JSON.stringify({
      rowsRead: rows,
      readings: N,
      windows1m: results[0].windows,
      bareMs: Math.round(bareMs),
      jobMs: Math.round(jobMs),
      bareRowsPerSec: Math.round(rows / (bareMs / 1000)),
      jobRowsPerSec: Math.round(rows / (jobMs / 1000)),
      ratio: Number((jobMs / bareMs).toFixed(2)),
    }),
  );
} finally {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await rm(root, { recursive: true, force: true });
}
