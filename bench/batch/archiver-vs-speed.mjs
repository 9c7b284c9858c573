// Benchmark: the archiver and the speed layer draining the same pre-loaded topic, in one run, alternately.
// Usage (after `npm run build`, stack up): node bench/batch/archiver-vs-speed.mjs [envelopes=15000] [rounds=2]
//
// One topic (3 partitions) is filled once with the speed bench's traffic: 1,000 devices × 5 metrics at 1 Hz,
// envelopes of 100 readings (20 s of one device). Each round drains it from the start with a fresh consumer group,
// first with the archiver (Archiver: ConsumerRunner + ArchiveHandlerFactory, Parquet files, the Redis ledger,
// the app's defaults of 100,000 readings or 5 s per flush), then with the speed layer (ConsumerRunner +
// SpeedHandlerFactory, Redis hot view every 500 ms, Cassandra every 1 s as in bench/speed/throughput.ts).
// Both consume 3 partitions concurrently in this process. Reported per consumer: readings/s until every record
// was handed to the handlers ("consumed"), and until everything is durable, the final checkpoint of `close()`
// included ("durable": every reading in a renamed Parquet file / every window in Redis and Cassandra).
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { execSync } from 'node:child_process';

const require = createRequire(import.meta.url);
const { Archiver } = require('@lambda-iot/archive');
const { createCassandra, createRedis, ensureKeyspace } = require('@lambda-iot/connections');
const { encodeEnvelope } = require('@lambda-iot/core');
const { ACKS_ALL, ConsumerRunner, createKafka, createProducer, ensureTopics } = require('@lambda-iot/kafka');
const {
  CassandraWindowSink,
  RedisWindowSink,
  SpeedHandlerFactory,
  ensureSpeedTable,
} = require('@lambda-iot/speed-layer');
const { testCassandraConfig, testKafkaConfig, testRedisConfig, uniqueName } = require('@lambda-iot/testkit');

const ENVELOPES = Number(process.argv[2] ?? 15_000);
const ROUNDS = Number(process.argv[3] ?? 2);
const PARTITIONS = 3;
const DEVICES = 1_000;
const METRICS = ['temp', 'hum', 'pressure', 'co2', 'battery'];
const load = () => execSync('cat /proc/loadavg').toString().split(' ').slice(0, 3).join(' ');

function envelope(device, k, start) {
  const deviceId = `bench-${device}`;
  const readings = [];
  for (let s = 0; s < 20; s++)
    for (const metric of METRICS)
      readings.push({
        metric,
        ts: start + k * 20_000 + s * 1_000,
        value: Math.sin(device + k + s) * 20 + 15,
        seq: k * 20 + s,
      });
  return { key: deviceId, value: encodeEnvelope({ deviceId, readings }) };
}

const kafka = createKafka(testKafkaConfig('archiver-vs-speed'));
const admin = kafka.admin();
await admin.connect();
const topic = uniqueName('bench_avs');
await ensureTopics(admin, [{ topic, numPartitions: PARTITIONS }]);
const keyPrefix = `${uniqueName('bench_avs')}:`;
const redis = createRedis(testRedisConfig(keyPrefix), { maxRetriesPerRequest: null });
const cassandraConfig = testCassandraConfig(uniqueName('bench_avs'));
await ensureKeyspace(cassandraConfig);
const cassandra = createCassandra(cassandraConfig);
await ensureSpeedTable(cassandra);
const roots = [];

async function preload() {
  const producer = createProducer(kafka, { overrides: { maxInFlightRequests: 1 } });
  await producer.connect();
  const start = Date.now() - 3 * 3_600_000;
  let produced = 0;
  for (let k = 0; produced < ENVELOPES; k++) {
    const batch = [];
    for (let d = 0; d < DEVICES && produced < ENVELOPES; d++, produced++) batch.push(envelope(d, k, start));
    for (let i = 0; i < batch.length; i += 250)
      await producer.send({ topic, acks: ACKS_ALL, messages: batch.slice(i, i + 250) });
  }
  await producer.disconnect();
  return produced;
}

async function drainWithArchiver(records, readings) {
  const root = resolve(fileURLToPath(new URL('../out', import.meta.url)), uniqueName('avs-archive'));
  roots.push(root);
  let seen = 0;
  let firstAt = 0;
  let consumedAt = 0;
  let written = 0;
  let lastFlushAt = 0;
  let files = 0;
  const archiver = new Archiver({
    kafka,
    redis,
    keyPrefix: `${keyPrefix}${uniqueName('a')}:`,
    root,
    topic,
    groupId: uniqueName('bench_avs_archiver'),
    latenessMs: 600_000,
    deadLetters: async () => undefined,
    flushMaxReadings: 100_000,
    flushMaxAgeMs: 5_000,
    commitIntervalMs: 1_000,
    partitionsConsumedConcurrently: PARTITIONS,
    onBatch: (info) => {
      if (firstAt === 0) firstAt = performance.now();
      seen += info.records;
      if (seen >= records && consumedAt === 0) consumedAt = performance.now();
    },
    onFlush: (info) => {
      written += info.readings;
      files += info.files;
      lastFlushAt = performance.now();
    },
  });
  await archiver.start();
  while (consumedAt === 0) await new Promise((r) => setTimeout(r, 20));
  await archiver.close();
  if (written !== readings) throw new Error(`archiver wrote ${written} of ${readings} readings`);
  return { firstAt, consumedAt, durableAt: Math.max(consumedAt, lastFlushAt), detail: `${files} files` };
}

async function drainWithSpeedLayer(records) {
  let consumed = 0;
  let firstAt = 0;
  let consumedAt = 0;
  let lastWriteAt = 0;
  let rows = 0;
  const observed = (inner, onWrite) => ({
    get name() {
      return inner.name;
    },
    async write(updates) {
      await inner.write(updates);
      lastWriteAt = performance.now();
      onWrite?.(updates);
    },
  });
  const prefix = `${keyPrefix}${uniqueName('s')}:`;
  const runner = new ConsumerRunner({
    kafka,
    groupId: uniqueName('bench_avs_speed'),
    topic,
    factory: new SpeedHandlerFactory({
      hotSinks: [observed(new RedisWindowSink({ redis, keyPrefix: prefix }))],
      durableSinks: [observed(new CassandraWindowSink({ client: cassandra }), (u) => (rows += u.length))],
      durableFlushIntervalMs: 1_000,
      deadLetters: async () => undefined,
      observer: {
        onRecords: (_p, counts) => {
          if (firstAt === 0) firstAt = performance.now();
          consumed += counts.records;
          if (consumed >= records && consumedAt === 0) consumedAt = performance.now();
        },
      },
    }),
    commitIntervalMs: 5_000,
    partitionsConsumedConcurrently: PARTITIONS,
  });
  await runner.start();
  while (consumedAt === 0) await new Promise((r) => setTimeout(r, 20));
  await runner.close();
  return {
    firstAt,
    consumedAt,
    durableAt: Math.max(consumedAt, lastWriteAt),
    detail: `${rows} Cassandra rows`,
  };
}

try {
  const p0 = performance.now();
  const records = await preload();
  const readings = records * 100;
  console.error(
    `preloaded ${records} envelopes (${readings} readings) in ${Math.round(performance.now() - p0)} ms`,
  );
  const results = { archiver: [], speed: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, drain] of [
      ['archiver', () => drainWithArchiver(records, readings)],
      ['speed', () => drainWithSpeedLayer(records)],
    ]) {
      const before = load();
      const d = await drain();
      const consumed = readings / ((d.consumedAt - d.firstAt) / 1000);
      const durable = readings / ((d.durableAt - d.firstAt) / 1000);
      results[name].push({ consumed, durable });
      console.error(
        `round ${r + 1} ${name} (load ${before}): consumed ${Math.round(consumed)} readings/s, durable ${Math.round(durable)} readings/s (${((d.durableAt - d.firstAt) / 1000).toFixed(2)} s, ${d.detail})`,
      );
    }
  }
  const best = (name, k) => Math.round(Math.max(...results[name].map((x) => x[k])));
  console.log(
    JSON.stringify({
      readings,
      partitions: PARTITIONS,
      archiverConsumedPerSec: best('archiver', 'consumed'),
      archiverDurablePerSec: best('archiver', 'durable'),
      speedConsumedPerSec: best('speed', 'consumed'),
      speedDurablePerSec: best('speed', 'durable'),
      archiverOverSpeedDurable: Number((best('archiver', 'durable') / best('speed', 'durable')).toFixed(2)),
    }),
  );
} finally {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  await cassandra.execute(`DROP KEYSPACE IF EXISTS ${cassandraConfig.keyspace}`).catch(() => undefined);
  await cassandra.shutdown();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1_000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
  for (const root of roots) await rm(root, { recursive: true, force: true });
}
