// Open-loop load on the serving app over the REAL readers: requests leave on a fixed schedule and latency counts
// from the scheduled send time (no coordinated omission). The app is `node apps/serving/dist/main.js` (main's
// wiring: Redis speed view, DuckDB batch view over published Parquet, Redis boundary and registry), seeded with
// 24 h of 1-minute windows for BENCH_DEVICES devices: all 24 h in the Redis speed view, the first 18 h archived,
// recomputed and published (B = 6 h before the end). BENCH_INGEST=1 also runs a speed app consuming a private
// topic that the simulator feeds at BENCH_INGEST_RATE readings/s, so the pipeline ingests during the load.
// Usage: npx turbo run build && node bench/serving/run.mjs
//   env: BENCH_SECONDS (10), BENCH_SERIES_RATES (250,500,1000), BENCH_FLEET_RATES (10), BENCH_WORKERS (1),
//        BENCH_DEVICES (50), BENCH_INGEST (0), BENCH_INGEST_RATE (5000), BENCH_LIVE (1: the queried series' last two
//        minutes keep changing every 500 ms; 0: a static day),
//        BENCH_SERVING_NODE_ARGS (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the app)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('../..', import.meta.url));
const { aggregateOf } = require('../../packages/core/dist/index.js');
const { createRedis, createCassandra, ensureKeyspace } = require('../../packages/connections/dist/index.js');
const archive = require('../../packages/archive/dist/index.js');
const { BatchComputer, RedisBatchBoundary } = require('../../packages/batch-layer/dist/index.js');
const { RedisWindowSink, ensureSpeedTable } = require('../../packages/speed-layer/dist/index.js');
const { RedisDeviceRegistry } = require('../../packages/devices/dist/index.js');
const { createKafka, ensureTopics } = require('../../packages/kafka/dist/index.js');

const TOKEN = 'bench-token-0123456789';
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Math.floor(Date.now() / HOUR) * HOUR;
const FROM = NOW - DAY;
const B = NOW - 6 * HOUR;
// The last minutes of the range stay open: a live writer keeps changing them, as the speed layer does.
const OPEN_FROM = NOW - 2 * MINUTE;
const DEVICES = Number(process.env.BENCH_DEVICES ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const INGEST = process.env.BENCH_INGEST === '1';
const INGEST_RATE = Number(process.env.BENCH_INGEST_RATE ?? 5000);
const id = `bench_serving_${Date.now().toString(36)}`;
const prefix = `${id}:`;
const topic = `${id}_readings`;
const env = process.env;
const redisConfig = {
  host: '127.0.0.1',
  port: Number(env.REDIS_PORT ?? 6379),
  db: 0,
  tls: { enabled: false, rejectUnauthorized: true },
  keyPrefix: prefix,
};
const cassandraConfig = {
  contactPoints: [`127.0.0.1:${env.CASSANDRA_PORT ?? '9042'}`],
  localDataCenter: 'datacenter1',
  keyspace: id,
  tls: { enabled: false, rejectUnauthorized: true },
  replicationFactor: 1,
};
const brokers = env.KAFKA_BROKERS ?? `127.0.0.1:${env.KAFKA_PORT ?? '9092'}`;
const deviceIds = Array.from({ length: DEVICES }, (_, d) => `bench-dev-${String(d).padStart(3, '0')}`);
const valueAt = (d, t) => Math.round(100 * (20 + Math.sin(t / HOUR + d))) / 100;

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function seed(redis, archiveRoot) {
  const t0 = performance.now();
  await new RedisDeviceRegistry({ redis, keyPrefix: prefix }).registerMany(
    deviceIds.map((deviceId, d) => ({ deviceId, tags: { site: `site-${d % 5}`, type: 'pump' } })),
  );
  await ensureKeyspace(cassandraConfig);
  const cassandra = createCassandra(cassandraConfig);
  await ensureSpeedTable(cassandra);
  await cassandra.shutdown();
  // The speed view: every minute of the 24 h (the speed layer keeps windows below B too, as it does live).
  const sink = new RedisWindowSink({ redis, keyPrefix: prefix });
  for (const [d, deviceId] of deviceIds.entries()) {
    const updates = [];
    for (let t = FROM; t < NOW; t += MINUTE) {
      const aggregate = aggregateOf([
        { ts: t + 1_000, value: valueAt(d, t) },
        { ts: t + 31_000, value: 21 },
      ]);
      updates.push({ deviceId, metric: 'temperature', windowStart: t, aggregate, final: t < OPEN_FROM });
    }
    await sink.write(updates);
  }
  // The archive and batch view: the same readings for the hours below B, one file per hour, each recomputed.
  const computer = new BatchComputer({ root: archiveRoot, redis, keyPrefix: prefix, threads: 1 });
  const db = await computer.connect();
  const writer = new archive.ParquetReadingsWriter(db);
  const hours = [];
  let offset = 0;
  for (let h = FROM; h < B; h += HOUR) {
    const rows = new archive.ReadingRows(0);
    for (const [d, deviceId] of deviceIds.entries()) {
      for (let t = h; t < h + HOUR; t += MINUTE) {
        rows.push(deviceId, 'temperature', t + 1_000, valueAt(d, t), null, offset++, t);
        rows.push(deviceId, 'temperature', t + 31_000, 21, null, offset++, t);
      }
    }
    const name = archive.archiveFileName({
      partition: 0,
      firstOffset: offset - rows.length,
      lastOffset: offset - 1,
    });
    await writer.write(
      join(archive.readingsHourDir(archiveRoot, h), name),
      rows,
      rows.ts.map((_, i) => i),
    );
    hours.push(h);
  }
  db.closeSync();
  await new archive.HourLedger({ redis, keyPrefix: prefix, latenessMs: 0 }).recordFlush({
    partition: 0,
    hours,
    maxTs: B,
  });
  for (const h of hours) await computer.recomputeHour(h);
  await computer.close();
  const boundary = await new RedisBatchBoundary(redis, prefix).refresh();
  if (boundary !== B) throw new Error(`boundary ${boundary}, expected ${B}`);
  console.error(
    `seeded ${DEVICES} devices × 24 h in ${Math.round(performance.now() - t0)} ms; B = now − 6 h`,
  );
}

/**
 * Every 500 ms (the speed layer's flush interval) each series' open minutes get one more reading, so every
 * speed read the server makes finds changed windows, as it would for devices reporting live.
 */
function startLiveWriter(redis) {
  const sink = new RedisWindowSink({ redis, keyPrefix: prefix });
  let n = 0;
  let writing = Promise.resolve();
  const timer = setInterval(() => {
    n++;
    const updates = [];
    for (const [d, deviceId] of deviceIds.entries()) {
      for (let t = OPEN_FROM; t < NOW; t += MINUTE) {
        const readings = Array.from({ length: 2 + n }, (_, i) => ({
          ts: t + (i % 60) * 1_000,
          value: valueAt(d, t) + i / 100,
        }));
        updates.push({
          deviceId,
          metric: 'temperature',
          windowStart: t,
          aggregate: aggregateOf(readings),
          final: false,
        });
      }
    }
    writing = writing
      .then(() => sink.write(updates))
      .catch((err) => console.error('live writer:', err.message));
  }, 500);
  return async () => {
    clearInterval(timer);
    await writing;
  };
}

function startApp(name, script, appEnv, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, join(root, script)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...appEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`${name} exited early: ${code ?? signal}`);
  });
  return child;
}

async function waitHealthy(url) {
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never became healthy`);
}

/** CPU seconds (user + system) used so far by a process and its children that exited (cluster workers live). */
function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process is gone
    }
  }
  return ticks / 100;
}

/** The serving process and its cluster workers. */
function servingPids(pid) {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    return [pid, ...children.map(Number)];
  } catch {
    return [pid];
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function load(base, name, pathFor, rate, seconds, serverPid) {
  const pids = servingPids(serverPid);
  const cpu0 = cpuSeconds(pids);
  const self0 = process.cpuUsage();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const latencies = [];
  let errors = 0;
  let bytes = 0;
  const total = rate * seconds;
  const start = performance.now() + 50;
  const pending = [];
  for (let i = 0; i < total; i++) {
    const scheduled = start + (i * 1000) / rate;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const url = new URL(pathFor(i), base);
    pending.push(
      new Promise((resolve) => {
        const req = http.get(url, { agent, headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
          // Discard the body without handing each chunk to JS: the load generator shares the two cores.
          bytes += Number(res.headers['content-length'] ?? 0);
          res.resume();
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            latencies.push(performance.now() - scheduled);
            resolve();
          });
        });
        req.on('error', () => {
          errors++;
          resolve();
        });
      }),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const serverCpu = cpuSeconds(pids) - cpu0;
  const self = process.cpuUsage(self0);
  return {
    query: name,
    targetRps: rate,
    achievedRps: Math.round(latencies.length / elapsed),
    p50: +percentile(latencies, 50).toFixed(1),
    p99: +percentile(latencies, 99).toFixed(1),
    max: +latencies[latencies.length - 1].toFixed(1),
    errors,
    kbPerResponse: Math.round(bytes / latencies.length / 1024),
    serverCpuMsPerReq: +((serverCpu * 1000) / latencies.length).toFixed(2),
    loadGenCpuMsPerReq: +((self.user + self.system) / 1000 / latencies.length).toFixed(2),
  };
}

let stopping = false;
let stopLive = async () => {};
const children = [];
const redis = createRedis(redisConfig, { maxRetriesPerRequest: null });
const archiveRoot = await mkdtemp(join(tmpdir(), `${id}-`));
try {
  await seed(redis, archiveRoot);
  const common = {
    REDIS_KEY_PREFIX: prefix,
    CASSANDRA_KEYSPACE: id,
    ARCHIVE_ROOT: archiveRoot,
    KAFKA_BROKERS: brokers,
    READINGS_TOPIC: topic,
    DLQ_TOPIC: `${topic}.dlq`,
  };
  const port = await freePort();
  const serving = startApp(
    'serving',
    'apps/serving/dist/main.js',
    {
      ...common,
      SERVING_PORT: String(port),
      SERVING_TOKENS: TOKEN,
      SERVING_RATE_LIMIT: '100000000',
      SERVING_WORKERS: String(WORKERS),
    },
    (env.BENCH_SERVING_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  children.push(serving);
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(`${base}/healthz`);
  if (INGEST) {
    const kafka = createKafka({ brokers: [brokers], clientId: 'bench-serving', tls: { enabled: false } });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic, numPartitions: 3 },
      { topic: `${topic}.dlq`, numPartitions: 1 },
    ]);
    await admin.disconnect();
    const opsPort = await freePort();
    children.push(
      startApp('speed', 'apps/speed/dist/main.js', {
        ...common,
        READINGS_PARTITIONS: '3',
        OPS_PORT: String(opsPort),
        SPEED_GROUP_ID: `${id}_speed`,
      }),
    );
    await waitHealthy(`http://127.0.0.1:${opsPort}/healthz`);
    const sim = spawn(
      process.execPath,
      [
        join(root, 'apps/simulator/dist/main.js'),
        ...['--rate', String(INGEST_RATE), '--duration', '30m', '--via', 'kafka', '--faults', 'none'],
      ],
      { env: { ...process.env, ...common, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    children.push(sim);
    await new Promise((r) => setTimeout(r, 5_000)); // let ingestion reach its steady state
    console.error(`ingesting ${INGEST_RATE} readings/s through Kafka and a speed app`);
  }
  const series = (i) =>
    `/v1/series?deviceId=${deviceIds[i % DEVICES]}&metric=temperature&from=${FROM}&to=${NOW}&step=1m`;
  const fleet = () => `/v1/fleet?metric=temperature&groupBy=site&from=${FROM}&to=${NOW}&step=1h`;
  if (env.BENCH_LIVE !== '0') stopLive = startLiveWriter(redis);
  // Warm-up: every device's batch answer once (the cache a long-running server has), then a short load.
  await load(base, 'warm-up', series, 50, Math.max(2, Math.ceil(DEVICES / 50)), serving.pid);
  const results = [];
  for (const rate of (env.BENCH_SERIES_RATES ?? '250,500,1000').split(',').filter(Boolean).map(Number)) {
    results.push(await load(base, 'series 24h 1m', series, rate, SECONDS, serving.pid));
  }
  for (const rate of (env.BENCH_FLEET_RATES ?? '10').split(',').filter(Boolean).map(Number)) {
    results.push(await load(base, 'fleet 24h 1h by site', fleet, rate, SECONDS, serving.pid));
  }
  console.table(results);
  console.log(JSON.stringify({ workers: WORKERS, ingest: INGEST ? INGEST_RATE : 0, results }));
} finally {
  stopping = true;
  await stopLive();
  for (const child of children.reverse()) {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  }
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
  const cassandra = createCassandra(cassandraConfig, { withoutKeyspace: true });
  await cassandra.execute(`DROP KEYSPACE IF EXISTS ${id}`).catch(() => undefined);
  await cassandra.shutdown();
  if (INGEST) {
    const kafka = createKafka({ brokers: [brokers], clientId: 'bench-serving', tls: { enabled: false } });
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
  }
  await rm(archiveRoot, { recursive: true, force: true });
}
