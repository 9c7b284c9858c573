// Benchmark: archiver throughput (readings/s) from a pre-filled Kafka topic to Parquet files.
// Usage (after `npm run build`, stack up): node bench/batch/archiver.mjs [readings=400000] [perEnvelope=50]
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { Archiver } = require('@lambda-iot/archive');
const { createRedis } = require('@lambda-iot/connections');
const { createKafka, createProducer, ensureTopics, ACKS_ALL } = require('@lambda-iot/kafka');
const { encodeEnvelope } = require('@lambda-iot/core');

const N = Number(process.argv[2] ?? 400_000);
const PER = Number(process.argv[3] ?? 50);
const PARTITIONS = 2;
const tag = Date.now().toString(36);
const topic = `bench_archiver_${tag}`;
const prefix = `liot_bench_arch_${tag}:`;
const root = resolve(fileURLToPath(new URL('../out', import.meta.url)), `archiver-${tag}`);
const T0 = Date.UTC(2026, 0, 1, 0);
const noTls = { enabled: false, rejectUnauthorized: true };
const kafka = createKafka({
  brokers: [process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'],
  clientId: 'bench-archiver',
  tls: noTls,
});
const redis = createRedis({
  host: '127.0.0.1',
  port: Number(process.env.REDIS_PORT ?? 6379),
  db: 0,
  tls: noTls,
  keyPrefix: prefix,
});

const admin = kafka.admin();
await admin.connect();
await ensureTopics(admin, [{ topic, numPartitions: PARTITIONS }]);
try {
  const producer = createProducer(kafka, { overrides: { allowAutoTopicCreation: false } });
  await producer.connect();
  const p0 = performance.now();
  let batch = [];
  for (let i = 0; i < N; i += PER) {
    const device = `dev-${(i / PER) % 1000}`;
    const readings = [];
    // One reading per device every 10 s, over the devices' timelines: ~12 hours of event time.
    for (let j = i; j < Math.min(i + PER, N); j++)
      readings.push({
        metric: 'temperature',
        ts: T0 + Math.floor(j / 1000) * 10_000 + (j % 1000),
        value: j % 997,
        seq: j,
      });
    batch.push({ key: device, value: encodeEnvelope({ deviceId: device, readings }) });
    if (batch.length === 500) {
      await producer.send({ topic, acks: ACKS_ALL, messages: batch });
      batch = [];
    }
  }
  if (batch.length > 0) await producer.send({ topic, acks: ACKS_ALL, messages: batch });
  await producer.disconnect();
  console.error(`produced ${N} readings in ${Math.round(performance.now() - p0)} ms`);

  let written = 0;
  let firstBatchAt;
  let files = 0;
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const archiver = new Archiver({
    kafka,
    redis,
    keyPrefix: prefix,
    root,
    topic,
    groupId: `bench_${tag}`,
    latenessMs: 600_000,
    deadLetters: async () => undefined,
    flushMaxReadings: 100_000,
    flushMaxAgeMs: 500,
    commitIntervalMs: 1_000,
    onBatch: () => (firstBatchAt ??= performance.now()),
    onFlush: (info) => {
      written += info.readings;
      files += info.files;
      if (written >= N) resolveDone(performance.now());
    },
  });
  await archiver.start();
  const end = await done;
  await archiver.close();
  const secs = (end - firstBatchAt) / 1000;
  console.log(
    JSON.stringify({
      readings: N,
      perEnvelope: PER,
      partitions: PARTITIONS,
      files,
      seconds: Number(secs.toFixed(2)),
      readingsPerSec: Math.round(N / secs),
    }),
  );
} finally {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await rm(root, { recursive: true, force: true });
}
