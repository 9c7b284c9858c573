// Speed-layer benchmark: sustained readings/s from Kafka through the handler into Redis + Cassandra, and freshness.
//
// Build and run (stack up, packages built):  npx tsc -p bench/speed && node bench/speed/dist/throughput.js
// Env: BENCH_ENVELOPES (default 15000, of 100 readings each), BENCH_PARTITIONS (3), BENCH_FRESH_RATE (20000 readings/s),
// BENCH_FRESH_SECONDS (15), BENCH_SINKS ('both' | 'redis': leave Cassandra out, to see what it costs).
import { performance } from 'node:perf_hooks';
import type { Message } from 'kafkajs';
import { createCassandra, createRedis, ensureKeyspace } from '@lambda-iot/connections';
import { encodeEnvelope, type EnvelopeReading } from '@lambda-iot/core';
import { ACKS_ALL, ConsumerRunner, createKafka, createProducer, ensureTopics } from '@lambda-iot/kafka';
import {
  CassandraWindowSink,
  ensureSpeedTable,
  RedisWindowSink,
  SpeedHandlerFactory,
  type WindowSink,
  type WindowUpdate,
} from '@lambda-iot/speed-layer';
import { testCassandraConfig, testKafkaConfig, testRedisConfig, uniqueName } from '@lambda-iot/testkit';

const ENVELOPES = Number(process.env.BENCH_ENVELOPES ?? 15_000);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 3);
const FRESH_RATE = Number(process.env.BENCH_FRESH_RATE ?? 20_000);
const FRESH_SECONDS = Number(process.env.BENCH_FRESH_SECONDS ?? 15);
const SINKS = process.env.BENCH_SINKS ?? 'both';
const DEVICES = 1_000;
const METRICS = ['temp', 'hum', 'pressure', 'co2', 'battery'];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Envelope k of a device: 20 s of its 5 metrics at 1 Hz = 100 readings. */
function envelope(device: number, k: number, start: number): Message {
  const deviceId = `bench-${device}`;
  const readings: EnvelopeReading[] = [];
  for (let s = 0; s < 20; s++) {
    for (const metric of METRICS)
      readings.push({
        metric,
        ts: start + k * 20_000 + s * 1_000,
        value: Math.sin(device + k + s) * 20 + 15,
        seq: k * 20 + s,
      });
  }
  return { key: deviceId, value: encodeEnvelope({ deviceId, readings }) };
}

/** Wraps a sink and tells a listener, after each successful write, which windows are now visible. */
class ObservedSink implements WindowSink {
  constructor(
    private readonly inner: WindowSink,
    private readonly onWritten: (updates: readonly WindowUpdate[], at: number, seconds: number) => void,
  ) {}
  get name(): string {
    return this.inner.name;
  }
  async write(updates: readonly WindowUpdate[]): Promise<void> {
    const started = performance.now();
    await this.inner.write(updates);
    const at = performance.now();
    this.onWritten(updates, at, (at - started) / 1_000);
  }
}

async function main(): Promise<void> {
  const kafka = createKafka(testKafkaConfig('speed-bench'));
  const admin = kafka.admin();
  await admin.connect();
  const topic = uniqueName('bench_speed');
  await ensureTopics(admin, [{ topic, numPartitions: PARTITIONS }]);
  const keyPrefix = `${uniqueName('bench_speed')}:`;
  const cassandraConfig = testCassandraConfig(uniqueName('bench_speed'));
  await ensureKeyspace(cassandraConfig);
  const cassandra = createCassandra(cassandraConfig);
  await ensureSpeedTable(cassandra);
  const redis = createRedis(testRedisConfig(keyPrefix));
  const producer = createProducer(kafka, { overrides: { maxInFlightRequests: 1 } });
  await producer.connect();

  // ---- phase 1: preload the topic, then measure draining it --------------------------------------------------
  const start = Date.now() - 3 * 3_600_000;
  const perDevice = Math.ceil(ENVELOPES / DEVICES);
  let produced = 0;
  const t0 = performance.now();
  for (let k = 0; k < perDevice && produced < ENVELOPES; k++) {
    const batch: Message[] = [];
    for (let d = 0; d < DEVICES && produced < ENVELOPES; d++, produced++) batch.push(envelope(d, k, start));
    for (let i = 0; i < batch.length; i += 250)
      await producer.send({ topic, acks: ACKS_ALL, messages: batch.slice(i, i + 250) });
  }
  const produceSeconds = (performance.now() - t0) / 1_000;
  const totalReadings = produced * 100;
  console.log(
    `preloaded ${produced} envelopes (${totalReadings} readings) in ${produceSeconds.toFixed(1)} s`,
  );

  let windowsWritten = 0;
  const fresh = {
    pending: new Map<string, Array<{ maxTs: number; sentAt: number }>>(),
    samples: [] as number[],
  };
  let lastHotAt = 0;
  const onWritten = (updates: readonly WindowUpdate[], at: number): void => {
    windowsWritten += updates.length;
    lastHotAt = at;
    for (const u of updates) {
      const list = fresh.pending.get(u.deviceId);
      if (!list) continue;
      while (list.length > 0 && (list[0] as { maxTs: number }).maxTs <= u.aggregate.lastTs)
        fresh.samples.push(at - list.shift()!.sentAt);
    }
  };
  const hotSinks: WindowSink[] = [new ObservedSink(new RedisWindowSink({ redis, keyPrefix }), onWritten)];
  let durableRows = 0;
  let durableBusy = 0;
  const durableSinks: WindowSink[] =
    SINKS === 'both'
      ? [
          new ObservedSink(new CassandraWindowSink({ client: cassandra }), (updates, at, seconds) => {
            durableRows += updates.length;
            durableBusy += seconds;
            durableLastAt = at;
          }),
        ]
      : [];
  let durableLastAt = 0;
  console.log(
    `sinks: ${[...hotSinks, ...durableSinks].map((s) => s.name).join(' + ')}; ${PARTITIONS} partitions`,
  );
  let consumed = 0;
  let applied = 0;
  let firstAt = 0;
  let doneAt = 0;
  const factory = (): SpeedHandlerFactory =>
    new SpeedHandlerFactory({
      hotSinks,
      durableSinks,
      // Cassandra every second rather than the app's 5 s default, so its writes overlap the (short) run and
      // the end-to-end time measures write throughput, not the interval.
      durableFlushIntervalMs: 1_000,
      deadLetters: async () => undefined,
      observer: {
        onRecords: (_p, counts) => {
          if (firstAt === 0) firstAt = performance.now();
          consumed += counts.records;
          applied += counts.applied;
          if (consumed >= produced && doneAt === 0) doneAt = performance.now();
        },
      },
    });
  const runner = new ConsumerRunner({
    kafka,
    groupId: uniqueName('bench_speed'),
    topic,
    factory: factory(),
    commitIntervalMs: 5_000,
    partitionsConsumedConcurrently: PARTITIONS,
  });
  let maxRss = 0;
  let maxHeap = 0;
  const lagSamples: Array<[number, number]> = [];
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    maxRss = Math.max(maxRss, m.rss);
    maxHeap = Math.max(maxHeap, m.heapUsed);
    let lag = 0;
    for (const v of runner.partitionLag().values()) lag += v;
    lagSamples.push([firstAt === 0 ? 0 : (performance.now() - firstAt) / 1_000, lag]);
  }, 250);
  await runner.start();
  while (doneAt === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  // Everything consumed. Closing the runner checkpoints every partition: each window, open or closed, is then
  // in Redis AND Cassandra. The end is the last sink write, so the consumer's own shutdown is not counted.
  await runner.close();
  console.log(
    `Cassandra: ${durableRows} window rows in ${durableBusy.toFixed(2)} s of writes (${Math.round(durableRows / durableBusy)} rows/s while writing)`,
  );
  const consumeSeconds = (doneAt - firstAt) / 1_000;
  const endToEndSeconds = (Math.max(doneAt, durableLastAt, lastHotAt) - firstAt) / 1_000;
  console.log(
    `consumed ${consumed} records, ${applied} readings applied in ${consumeSeconds.toFixed(2)} s ` +
      `(${Math.round(totalReadings / consumeSeconds)} readings/s); all windows in both sinks after ${endToEndSeconds.toFixed(2)} s: ` +
      `${Math.round(totalReadings / endToEndSeconds)} readings/s end to end; max RSS ${(maxRss / 2 ** 20).toFixed(0)} MiB, ` +
      `max heap ${(maxHeap / 2 ** 20).toFixed(0)} MiB; window writes ${windowsWritten} (Redis)`,
  );
  const lagLine = lagSamples
    .filter((_, i) => i % 4 === 0)
    .map(([t, l]) => `${t.toFixed(0)}s:${l}`)
    .join(' ');
  console.log(`lag (records behind, sampled each s): ${lagLine}`);

  // ---- phase 2: freshness at a fixed moderate rate with event time = now, on a topic of its own -------------
  // (A shared topic would let the jump in event time close every phase-1 window at once and time that burst.)
  const freshTopic = `${topic}_fresh`;
  await ensureTopics(admin, [{ topic: freshTopic, numPartitions: PARTITIONS }]);
  const freshRunner = new ConsumerRunner({
    kafka,
    groupId: uniqueName('bench_fresh'),
    topic: freshTopic,
    factory: factory(),
    commitIntervalMs: 5_000,
    partitionsConsumedConcurrently: PARTITIONS,
  });
  await freshRunner.start();
  await freshRunner.ready;
  const envelopesPerSecond = FRESH_RATE / 100;
  const tickMs = 50;
  const perTick = envelopesPerSecond / (1_000 / tickMs);
  const freshDevices = 200;
  let sent = 0;
  const phaseStart = performance.now();
  let nextDevice = 0;
  while (performance.now() - phaseStart < FRESH_SECONDS * 1_000) {
    const due = Math.floor(((performance.now() - phaseStart) / tickMs + 1) * perTick) - sent;
    const messages: Message[] = [];
    const now = Date.now();
    for (let i = 0; i < due; i++, sent++) {
      const device = nextDevice++ % freshDevices;
      const deviceId = `fresh-${device}`;
      const readings: EnvelopeReading[] = [];
      for (let j = 0; j < 100; j++)
        readings.push({ metric: 'temp', ts: now - 100 + j, value: j, seq: sent * 100 + j });
      messages.push({ key: deviceId, value: encodeEnvelope({ deviceId, readings }) });
      const list = fresh.pending.get(deviceId) ?? [];
      list.push({ maxTs: now - 1, sentAt: performance.now() });
      fresh.pending.set(deviceId, list);
    }
    if (messages.length > 0) await producer.send({ topic: freshTopic, acks: ACKS_ALL, messages });
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
  const waitUntil = performance.now() + 5_000;
  while (fresh.samples.length < sent && performance.now() < waitUntil)
    await new Promise((resolve) => setTimeout(resolve, 50));
  const samples = [...fresh.samples].sort((a, b) => a - b);
  const seconds = (performance.now() - phaseStart) / 1_000;
  console.log(
    `freshness at ${FRESH_RATE} readings/s for ${FRESH_SECONDS} s (${sent} envelopes, ${samples.length} observed): ` +
      `p50 ${percentile(samples, 50).toFixed(0)} ms, p99 ${percentile(samples, 99).toFixed(0)} ms, max ${percentile(samples, 100).toFixed(0)} ms (${seconds.toFixed(1)} s)`,
  );

  clearInterval(sampler);
  await freshRunner.close();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic, freshTopic] }).catch(() => undefined);
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
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
