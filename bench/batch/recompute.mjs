// Benchmark: one hour of readings recomputed by the batch job, against the bare DuckDB queries over the same files.
// Usage (after `npm run build`, Redis up): node bench/batch/recompute.mjs [readings=10000000] [rounds=2]
//
// Four hours of the same readings, all written by the archiver's own partition handler (no Kafka, so the files
// and their claims are exactly what the archiver writes): "in order", each series arriving in event-time order
// (the archive then proves the hour free of duplicates and the job skips its dedup); "with duplicates", the
// same files plus 5% of the readings sent again later in the same partitions, in files without claims (a bulk
// re-send, as a gateway replaying its buffer or an import tool would write: the job runs the dedup query);
// "a few series unordered", where 1% of the series misbehave: 10 devices whose producer re-sends every envelope
// (0.5% of the readings are duplicates) and 10 devices whose every 4th envelope arrives after the next (out of
// order); the archive lists those series and the job dedups only them; and "archivers restarted mid-hour", in
// order, where every partition's handler commits, closes, and a new one resumes from the commit with its
// predecessor's claims (`readHourOrderHandovers`, as the archiver's factory does), so the hour stays proven.
// Per hour and round, in fresh DuckDB instances with the job's settings: the bare dedup query, the bare
// aggregate without dedup (the floor: valid only with the proof), the job's own aggregation run bare
// (`computeMinuteAggregates`: footers, proof and the path they select), and the job (BatchComputer.recomputeHour: footers, query, 1m + 1h files written durably,
// manifest in Redis). The job's 1m file is checked against the bare dedup query's result, window by window.
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { execSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const { DuckDBInstance } = require('@duckdb/node-api');
const {
  BatchComputer,
  batchFilePath,
  computeMinuteAggregates,
  minuteAggregatesSql,
  orderedMinuteAggregatesSql,
  viewSelectSql,
} = require('@lambda-iot/batch-layer');
const {
  ArchivePartitionHandler,
  archiveFileName,
  layerKeys,
  listArchiveFiles,
  readHourOrderHandovers,
  readingsHourDir,
  sqlString,
} = require('@lambda-iot/archive');
const { encodeEnvelope } = require('@lambda-iot/core');
const { createRedis } = require('@lambda-iot/connections');

const N = Number(process.argv[2] ?? 10_000_000);
const ROUNDS = Number(process.argv[3] ?? 2);
const PARTITIONS = 6;
const DEVICES = 2_000;
const PER_ENVELOPE = 50; // 25 readings of each of 2 metrics
const FLUSH = 100_000; // the archiver's default ARCHIVER_FLUSH_MAX_READINGS
const H_ORDERED = Date.UTC(2026, 0, 1, 12);
const H_DUPS = H_ORDERED + 3_600_000;
const H_FEW = H_ORDERED + 7_200_000;
const H_RESTART = H_ORDERED + 10_800_000;
/** Devices whose producer re-sends every envelope, and devices whose every 4th envelope comes after the next. */
const resends = (d) => d % 200 === 7;
const reorders = (d) => d % 200 === 107;
const root = resolve(fileURLToPath(new URL('../out', import.meta.url)), `batch-${Date.now()}`);
const prefix = `liot_bench_${Date.now().toString(36)}:`;
const settings = { threads: '2' };
const load = () => execSync('cat /proc/loadavg').toString().split(' ').slice(0, 3).join(' ');

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

/**
 * N readings of DEVICES devices × 2 metrics in one hour, each series every 3.6e6 / (N / DEVICES / 2) ms; device d
 * on partition d % PARTITIONS (Kafka key = deviceId); envelopes of one device, in event-time order per partition.
 */
async function archiveHour(hour, db, { misbehave = false, restart = false } = {}) {
  const perSeries = Math.floor(N / DEVICES / 2);
  const step = Math.floor(3_600_000 / perSeries);
  const handlers = [];
  const offsets = [];
  const pending = [];
  /** A handler resuming partition p at `committed`, with its predecessor's claims as the archiver's factory reads them. */
  const open = async (p, committed) =>
    new ArchivePartitionHandler({
      root,
      partition: p,
      committedOffset: committed,
      plannedEnds: [],
      handovers: await readHourOrderHandovers(db, await listArchiveFiles(root, p), committed),
      connection: db,
      ledger: { recordFlush: async () => 0 },
      deadLetters: async () => undefined,
      maxReadings: FLUSH,
      maxAgeMs: 3_600_000,
      now: () => Date.now(),
    });
  for (let p = 0; p < PARTITIONS; p++) {
    handlers.push(await open(p, undefined));
    offsets.push(0);
    pending.push([]);
  }
  const ctx = { heartbeat: async () => undefined, signal: new AbortController().signal };
  const perSlice = PER_ENVELOPE / 2;
  const held = new Map();
  const send = async (p, deviceId, readings) => {
    pending[p].push({
      key: Buffer.from(deviceId),
      value: encodeEnvelope({ deviceId, readings }),
      timestamp: String(hour),
      attributes: 0,
      offset: String(offsets[p]++),
      headers: {},
    });
    if (pending[p].length === 500) {
      await handlers[p].handle(pending[p], ctx);
      pending[p] = [];
    }
  };
  for (let j0 = 0; j0 < perSeries; j0 += perSlice) {
    if (restart && j0 === Math.floor(perSeries / perSlice / 2) * perSlice) {
      // Every partition's archiver stops mid-hour (a deploy) and a new process takes over from its commit.
      for (let p = 0; p < PARTITIONS; p++) {
        if (pending[p].length > 0) await handlers[p].handle(pending[p], ctx);
        pending[p] = [];
        await handlers[p].checkpoint(ctx);
        await handlers[p].close();
        handlers[p] = await open(p, offsets[p]);
      }
    }
    for (let d = 0; d < DEVICES; d++) {
      const deviceId = `dev-${d}`;
      const readings = [];
      for (let j = j0; j < Math.min(j0 + perSlice, perSeries); j++) {
        const ts = hour + j * step + (d % Math.max(1, step - 1));
        const value = ((d * 7919 + j * 31) % 10_000) / 100;
        readings.push({ metric: 'temperature', ts, value, seq: j });
        // One device in five sends humidity without seq.
        readings.push({ metric: 'humidity', ts, value: 100 - value, ...(d % 5 === 0 ? {} : { seq: j }) });
      }
      const p = d % PARTITIONS;
      if (misbehave && reorders(d) && (j0 / perSlice) % 4 === 0) {
        held.set(d, readings);
        continue;
      }
      await send(p, deviceId, readings);
      if (misbehave && resends(d)) await send(p, deviceId, readings);
      if (held.has(d)) {
        await send(p, deviceId, held.get(d));
        held.delete(d);
      }
    }
  }
  for (const [d, readings] of held) await send(d % PARTITIONS, `dev-${d}`, readings);
  for (let p = 0; p < PARTITIONS; p++) {
    if (pending[p].length > 0) await handlers[p].handle(pending[p], ctx);
    await handlers[p].checkpoint(ctx);
    await handlers[p].close();
  }
  return offsets;
}

/** 5% of each partition's readings again, at offsets after its last, in a file without claims (a restarted run). */
async function addDuplicates(hour, nextOffsets, db) {
  const dir = readingsHourDir(root, hour);
  const files = (await listArchiveFiles(root)).filter((f) => f.hourStart === hour);
  for (let p = 0; p < PARTITIONS; p++) {
    const sources = files.filter((f) => f.partition === p).map((f) => sqlString(f.path));
    const name = archiveFileName({
      partition: p,
      firstOffset: nextOffsets[p],
      lastOffset: 2 * nextOffsets[p] - 1,
    });
    await db.run(`COPY (SELECT * REPLACE (kafka_offset + ${nextOffsets[p]} AS kafka_offset)
        FROM read_parquet([${sources.join(', ')}]) WHERE hash(kafka_offset, ts) % 20 = 0 ORDER BY kafka_offset)
      TO ${sqlString(join(dir, name))} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`);
  }
}

async function filesOf(hour) {
  return (await listArchiveFiles(root))
    .filter((f) => f.hourStart === hour)
    .map((f) => f.path)
    .sort();
}

/**
 * The job's own aggregation, bare: `computeMinuteAggregates` (footers, proof, and whichever path it picks) in a
 * fresh instance, without the job's 1m/1h files and manifest.
 */
async function jobSqlBare(files) {
  const inst = await DuckDBInstance.create(':memory:', settings);
  const db = await inst.connect();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const outcome = await computeMinuteAggregates(db, files, 'agg');
  const ms = performance.now() - t0;
  const cpu = cpuMs(c0);
  const windows = Number((await db.runAndReadAll('SELECT count(*) FROM agg')).getRows()[0][0]);
  db.closeSync();
  inst.closeSync();
  return { ms, cpu, windows, outcome };
}

/** Runs one query into a table in a fresh instance; windows = its rows. */
async function bare(sql) {
  const inst = await DuckDBInstance.create(':memory:', settings);
  const db = await inst.connect();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await db.run(`CREATE TEMP TABLE bare AS ${sql}`);
  const ms = performance.now() - t0;
  const cpu = cpuMs(c0);
  const windows = Number((await db.runAndReadAll('SELECT count(*) FROM bare')).getRows()[0][0]);
  db.closeSync();
  inst.closeSync();
  return { ms, cpu, windows };
}

/** CPU time of this process (DuckDB's threads included) since `c0`, in ms. */
function cpuMs(c0) {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

async function job(hour) {
  const computer = new BatchComputer({ root, redis, keyPrefix: prefix, threads: 2 });
  await redis.hset(layerKeys(prefix).hourGenerations, String(hour), '1');
  // A worker creates its DuckDB instance once; the bare queries' instances are not timed either.
  (await computer.connect()).closeSync();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await computer.recomputeHour(hour);
  const ms = performance.now() - t0;
  const cpu = cpuMs(c0);
  await computer.close();
  return { ms, cpu, windows: result.rows1m, dedup: result.dedup, version: result.version };
}

/** Windows where the job's 1m file and the bare dedup query disagree (sums to 1e-9 relative). */
async function mismatches(hour, version, files) {
  const inst = await DuckDBInstance.create(':memory:', settings);
  const db = await inst.connect();
  const jobFile = batchFilePath(root, version, '1m', hour);
  const r = await db.runAndReadAll(`
    WITH j AS (SELECT * FROM read_parquet(${sqlString(jobFile)})),
         b AS (${viewSelectSql(`(${minuteAggregatesSql(files)})`)})
    SELECT count(*) FROM b FULL JOIN j USING (device_id, metric, window_start)
    WHERE j.count IS DISTINCT FROM b.count OR j.min IS DISTINCT FROM b.min OR j.max IS DISTINCT FROM b.max
       OR j.first IS DISTINCT FROM b.first OR j.first_ts IS DISTINCT FROM b.first_ts
       OR j.last IS DISTINCT FROM b.last OR j.last_ts IS DISTINCT FROM b.last_ts
       OR abs(j.sum - b.sum) > 1e-9 * greatest(1, abs(b.sum)) OR abs(j.sum_sq - b.sum_sq) > 1e-9 * greatest(1, abs(b.sum_sq))`);
  db.closeSync();
  inst.closeSync();
  return Number(r.getRows()[0][0]);
}

try {
  const g0 = performance.now();
  const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
  const db = await inst.connect();
  await mkdir(root, { recursive: true });
  await archiveHour(H_ORDERED, db);
  const next = await archiveHour(H_DUPS, db);
  await addDuplicates(H_DUPS, next, db);
  await archiveHour(H_FEW, db, { misbehave: true });
  await archiveHour(H_RESTART, db, { restart: true });
  db.closeSync();
  inst.closeSync();
  const hours = [];
  for (const [name, hour] of [
    ['in order', H_ORDERED],
    ['with duplicates', H_DUPS],
    ['a few series unordered', H_FEW],
    ['archivers restarted mid-hour', H_RESTART],
  ]) {
    const files = await filesOf(hour);
    const c = await DuckDBInstance.create(':memory:');
    const cdb = await c.connect();
    const rows = Number(
      (
        await cdb.runAndReadAll(`SELECT count(*) FROM read_parquet([${files.map(sqlString).join(', ')}])`)
      ).getRows()[0][0],
    );
    cdb.closeSync();
    c.closeSync();
    hours.push({ name, hour, files, rows });
  }
  console.error(
    `archived ${hours.map((h) => `${h.rows} rows in ${h.files.length} files (${h.name})`).join(', ')} in ${Math.round(performance.now() - g0)} ms`,
  );
  const out = [];
  for (const h of hours) {
    const results = [];
    for (let r = 0; r < ROUNDS; r++) {
      const before = load();
      const dedupQ = await bare(minuteAggregatesSql(h.files));
      const floorQ = await bare(orderedMinuteAggregatesSql(h.files));
      const sameQ = await jobSqlBare(h.files);
      const j = await job(h.hour);
      if (dedupQ.windows !== j.windows || floorQ.windows !== j.windows || sameQ.windows !== j.windows)
        throw new Error(
          `windows disagree: dedup ${dedupQ.windows}, floor ${floorQ.windows}, job's SQL ${sameQ.windows}, job ${j.windows}`,
        );
      results.push({
        dedupMs: dedupQ.ms,
        floorMs: floorQ.ms,
        sameMs: sameQ.ms,
        jobMs: j.ms,
        dedupCpu: dedupQ.cpu,
        floorCpu: floorQ.cpu,
        jobCpu: j.cpu,
        dedup: j.dedup,
        version: j.version,
      });
      console.error(
        `${h.name} round ${r + 1} (load ${before}): dedup query ${Math.round(dedupQ.ms)} ms (cpu ${Math.round(dedupQ.cpu)}), ` +
          `aggregate without dedup ${Math.round(floorQ.ms)} ms (cpu ${Math.round(floorQ.cpu)}), ` +
          `job's SQL ${Math.round(sameQ.ms)} ms, ` +
          `job ${Math.round(j.ms)} ms (cpu ${Math.round(j.cpu)}, dedup ${j.dedup}), ${j.windows} 1m windows`,
      );
    }
    const wrong = await mismatches(h.hour, results[results.length - 1].version, h.files);
    if (wrong !== 0)
      throw new Error(`${h.name}: ${wrong} windows of the job differ from the bare dedup query`);
    const best = (k) => Math.min(...results.map((x) => x[k]));
    const dedup = results[0].dedup;
    const bareMs = best('sameMs');
    out.push({
      hour: h.name,
      rowsRead: h.rows,
      files: h.files.length,
      jobDedup: dedup,
      dedupQueryMs: Math.round(best('dedupMs')),
      noDedupQueryMs: Math.round(best('floorMs')),
      jobSqlBareMs: Math.round(best('sameMs')),
      jobMs: Math.round(best('jobMs')),
      jobRowsPerSec: Math.round(h.rows / (best('jobMs') / 1000)),
      dedupQueryRowsPerSec: Math.round(h.rows / (best('dedupMs') / 1000)),
      noDedupQueryRowsPerSec: Math.round(h.rows / (best('floorMs') / 1000)),
      jobOverSameQuery: Number((best('jobMs') / bareMs).toFixed(2)),
      jobOverDedupQuery: Number((best('jobMs') / best('dedupMs')).toFixed(2)),
      cpuMs: {
        dedupQuery: Math.round(best('dedupCpu')),
        noDedupQuery: Math.round(best('floorCpu')),
        job: Math.round(best('jobCpu')),
      },
      mismatchedWindows: wrong,
    });
  }
  for (const o of out) console.log(JSON.stringify(o));
} finally {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await rm(root, { recursive: true, force: true });
}
