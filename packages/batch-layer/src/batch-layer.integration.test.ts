import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, Message } from 'kafkajs';
import type { Redis } from 'ioredis';
import {
  HOUR_MS,
  aggregatesEqual,
  encodeEnvelope,
  type Aggregate,
  type Reading,
  type Resolution,
} from '@lambda-iot/core';
import { createRedis } from '@lambda-iot/connections';
import { ACKS_ALL, DLQ_HEADERS, createKafka, createProducer, ensureTopics } from '@lambda-iot/kafka';
import { Archiver, layerKeys, readingsHourDir } from '@lambda-iot/archive';
import { eventually, testKafkaConfig, testRedisConfig, uniqueName, deleteKeys } from '@lambda-iot/testkit';
import { BatchComputer } from './batch-computer';
import { RedisBatchBoundary } from './batch-boundary';
import { BatchQueue, recomputeJobId } from './batch-queue';
import { BatchWorker } from './batch-worker';
import { BatchScheduler } from './batch-scheduler';
import { DuckDbBatchView, type FleetPoint } from './duckdb-batch-view';
import { VersionCollector } from './version-collector';
import { ArchiveCompactor } from './archive-compactor';
import { fixtureReadings, groundTruth } from './test-support/readings-fixture';

const H0 = Date.UTC(2026, 0, 1, 22); // three hours across a UTC day boundary
const DAY0 = Date.UTC(2026, 0, 1);
const METRICS = ['temperature', 'humidity'];
const RESOLUTIONS: Resolution[] = ['1m', '1h', '1d'];

describe('archive and batch layer on the real stack', () => {
  const prefix = `${uniqueName('liot_batch')}:`;
  const topic = uniqueName('t_batch');
  const queueName = uniqueName('q_batch');
  let root: string;
  let kafka: Kafka;
  let redis: Redis;
  let archiver: Archiver;
  let computer: BatchComputer;
  let boundary: RedisBatchBoundary;
  let queue: BatchQueue;
  let worker: BatchWorker;
  let scheduler: BatchScheduler;
  let view: DuckDbBatchView;
  const archiverGroup = uniqueName('g_archiver');
  const sent: Reading[] = [];
  const deadLetters: Message[] = [];

  async function produce(readings: readonly Reading[], partitionOf: (r: Reading) => number): Promise<void> {
    const producer = createProducer(kafka);
    await producer.connect();
    const messages = [];
    for (let i = 0; i < readings.length; i += 7) {
      // Envelopes carry one device each; group a slice of readings by device.
      const byDevice = new Map<string, Reading[]>();
      for (const r of readings.slice(i, i + 7))
        byDevice.set(r.deviceId, [...(byDevice.get(r.deviceId) ?? []), r]);
      for (const [deviceId, rs] of byDevice) {
        messages.push({
          key: deviceId,
          partition: partitionOf(rs[0] as Reading),
          value: encodeEnvelope({ deviceId, readings: rs.map(({ deviceId: _d, ...rest }) => rest) }),
        });
      }
    }
    await producer.send({ topic, acks: ACKS_ALL, messages });
    await producer.disconnect();
    sent.push(...readings);
  }

  const byDevice = (r: Reading): number => Number(r.deviceId.slice(4)) % 2;

  /** One reader query per metric; each query is one manifest snapshot. */
  async function fleet(
    res: Resolution,
    metrics: readonly string[] = METRICS,
  ): Promise<Map<string, Aggregate>> {
    const out = new Map<string, Aggregate>();
    for (const metric of metrics) {
      const points: FleetPoint[] = await view.readFleet(metric, res, DAY0, DAY0 + 2 * 86_400_000);
      for (const p of points) out.set(`${p.deviceId}|${metric}|${res}|${p.windowStart}`, p.aggregate);
    }
    return out;
  }

  const ofMetric = (truth: Map<string, Aggregate>, metric: string): Map<string, Aggregate> =>
    new Map([...truth].filter(([k]) => k.split('|')[1] === metric));

  function expectMatches(
    actual: Map<string, Aggregate>,
    truth: Map<string, Aggregate>,
    res: Resolution,
  ): void {
    const expected = [...truth].filter(([k]) => k.split('|')[2] === res);
    expect([...actual.keys()].sort()).toEqual(expected.map(([k]) => k).sort());
    const mismatches = expected.filter(([k, agg]) => !aggregatesEqual(actual.get(k) as Aggregate, agg));
    expect(mismatches.map(([k, agg]) => ({ k, expected: agg, actual: actual.get(k) }))).toEqual([]);
  }

  function matches(actual: Map<string, Aggregate>, truth: Map<string, Aggregate>, res: Resolution): boolean {
    const expected = [...truth].filter(([k]) => k.split('|')[2] === res);
    return (
      actual.size === expected.length &&
      expected.every(([k, agg]) => actual.has(k) && aggregatesEqual(actual.get(k) as Aggregate, agg))
    );
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'liot-batch-'));
    kafka = createKafka(testKafkaConfig('batch-it'));
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 2 }]);
    await admin.disconnect();
    redis = createRedis(testRedisConfig(prefix), { maxRetriesPerRequest: null });
    archiver = new Archiver({
      kafka,
      redis,
      keyPrefix: prefix,
      root,
      topic,
      groupId: archiverGroup,
      latenessMs: 60_000,
      deadLetters: async (messages) => {
        deadLetters.push(...messages);
      },
      flushMaxReadings: 400,
      flushMaxAgeMs: 200,
      commitIntervalMs: 0,
    });
    computer = new BatchComputer({ root, redis, keyPrefix: prefix, threads: 1 });
    boundary = new RedisBatchBoundary(redis, prefix);
    const connection = {
      host: '127.0.0.1',
      port: Number(process.env.REDIS_PORT ?? 6379),
      maxRetriesPerRequest: null,
    };
    queue = new BatchQueue({ connection, name: queueName, prefix: `${prefix}bull`, backoffMs: 200 });
    worker = new BatchWorker({
      connection,
      queueName,
      prefix: `${prefix}bull`,
      computer,
      boundary,
      concurrency: 2,
    });
    scheduler = new BatchScheduler({
      redis,
      keyPrefix: prefix,
      queue,
      manifest: computer.manifest,
      boundary,
      intervalMs: 250,
    });
    view = new DuckDbBatchView({ root, manifest: computer.manifest, threads: 1 });
    await archiver.start();
    await worker.start();
  });

  afterAll(async () => {
    await scheduler?.close();
    await worker?.close();
    await queue?.queue.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await archiver?.close();
    await view?.close();
    await computer?.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await rm(root, { recursive: true, force: true });
  });

  it('archives duplicated, out-of-order readings, recomputes sealed hours, and equals the ground truth in every window', async () => {
    await produce(fixtureReadings(1, 2_400, H0, 3 * HOUR_MS), byDevice);
    // Readings three minutes into the next hour on both partitions move the low watermark past all three hours.
    await produce(
      [0, 1].map((d) => ({
        deviceId: `dev-${d}`,
        metric: 'temperature',
        ts: H0 + 3 * HOUR_MS + 180_000,
        value: 1,
        seq: 9_999_000 + d,
      })),
      byDevice,
    );
    const keys = layerKeys(prefix);
    await eventually(async () => expect(Number(await redis.get(keys.sealedThrough))).toBe(H0 + 3 * HOUR_MS), {
      timeoutMs: 60_000,
    });

    await scheduler.start();
    await eventually(async () => expect(await boundary.readBoundary()).toBe(H0 + 3 * HOUR_MS), {
      timeoutMs: 90_000,
    });
    const truth = groundTruth(sent.filter((r) => r.ts < H0 + 3 * HOUR_MS));
    for (const res of RESOLUTIONS) expectMatches(await fleet(res), truth, res);
    // The single-series reader answers the same as the fleet reader.
    const series = await view.readSeries(
      { deviceId: 'dev-1', metric: 'temperature' },
      '1h',
      H0,
      H0 + 3 * HOUR_MS,
    );
    expect(series.map((p) => p.windowStart)).toEqual([H0, H0 + HOUR_MS, H0 + 2 * HOUR_MS]);
    for (const p of series)
      expect(
        aggregatesEqual(p.aggregate, truth.get(`dev-1|temperature|1h|${p.windowStart}`) as Aggregate),
      ).toBe(true);
  }, 180_000);

  it('marks an hour dirty when hours-late readings arrive after its recompute, recomputes it automatically, and readers only ever see the old or the new answer', async () => {
    const keys = layerKeys(prefix);
    const sealed = (r: Reading): boolean => r.ts < H0 + 3 * HOUR_MS;
    const before = groundTruth(sent.filter(sealed));
    // Observe the hour-H0 windows continuously from before the late readings until the new answer is published.
    const late = fixtureReadings(2, 300, H0, HOUR_MS, 4, 5_000_000);
    const after = groundTruth([...sent, ...late].filter(sealed));
    const observed: Array<'old' | 'new' | 'other'> = [];
    let stop = false;
    const reader = (async () => {
      while (!stop) {
        const answer = await fleet('1m', ['temperature']);
        const [old, fresh] = [ofMetric(before, 'temperature'), ofMetric(after, 'temperature')];
        observed.push(matches(answer, old, '1m') ? 'old' : matches(answer, fresh, '1m') ? 'new' : 'other');
      }
    })();
    // The scheduler pauses so the dirty mark can be seen before it is acted upon.
    await scheduler.close();
    await produce(late, () => 0);
    await eventually(async () => expect(await redis.zscore(keys.dirtyHours, String(H0))).not.toBeNull(), {
      timeoutMs: 60_000,
    });
    expect(await redis.zrange(keys.dirtyHours, 0, -1)).toEqual([String(H0)]);
    scheduler = new BatchScheduler({
      redis,
      keyPrefix: prefix,
      queue,
      manifest: computer.manifest,
      boundary,
      intervalMs: 250,
    });
    await scheduler.start();
    await eventually(
      async () => {
        expect(await redis.zcard(keys.dirtyHours)).toBe(0);
        expect(await boundary.readBoundary()).toBe(H0 + 3 * HOUR_MS);
        expect(observed[observed.length - 1]).toBe('new');
      },
      { timeoutMs: 90_000 },
    );
    stop = true;
    await reader;
    expect(observed).not.toContain('other');
    expect(observed).toContain('old');
    for (const res of RESOLUTIONS) expectMatches(await fleet(res), after, res);
  }, 180_000);

  it('backfills a range as one flow per day whose rollup runs after its hours, leaving the answers unchanged', async () => {
    await scheduler.close();
    const truth = groundTruth(sent.filter((r) => r.ts < H0 + 3 * HOUR_MS));
    const jobs = await queue.enqueueBackfill(H0, H0 + 3 * HOUR_MS, uniqueName('cli'));
    expect(jobs.map((j) => j.name)).toEqual([
      'recompute-hour',
      'recompute-hour',
      'rollup-day',
      'recompute-hour',
      'rollup-day',
    ]);
    await eventually(
      async () => {
        const states = await Promise.all(jobs.map(async (j) => (await queue.queue.getJob(j.id))?.getState()));
        expect(states).toEqual(jobs.map(() => 'completed'));
      },
      { timeoutMs: 60_000 },
    );
    const { days } = await computer.manifest.all();
    expect([...days.keys()].sort()).toEqual([DAY0, DAY0 + 86_400_000]);
    for (const res of RESOLUTIONS) expectMatches(await fleet(res), truth, res);
    expect(await boundary.refresh()).toBe(H0 + 3 * HOUR_MS);
  }, 120_000);

  it('garbage-collects versions no manifest entry references once the grace has passed, and keeps the published ones', async () => {
    const { hours, days } = await computer.manifest.all();
    const published = new Set([...hours.values(), ...days.values()].map((e) => e.version));
    const listVersions = async (): Promise<string[]> =>
      (await readdir(join(root, 'batch'))).flatMap((n) => (n.startsWith('v=') ? [n.slice(2)] : []));
    const before = await listVersions();
    expect(before.filter((v) => !published.has(v)).length).toBeGreaterThan(0);

    const patient = new VersionCollector({ root, redis, keyPrefix: prefix, graceMs: 3_600_000 });
    expect(await patient.collect()).toEqual([]);
    const eager = new VersionCollector({ root, redis, keyPrefix: prefix, graceMs: 0 });
    const deleted = await eager.collect();
    expect(deleted.sort()).toEqual(before.filter((v) => !published.has(v)).sort());
    expect((await listVersions()).sort()).toEqual([...published].sort());
    const truth = groundTruth(sent.filter((r) => r.ts < H0 + 3 * HOUR_MS));
    for (const res of RESOLUTIONS) expectMatches(await fleet(res), truth, res);
  });

  it('leaves a job that failed for good failed, and enqueues it again only once its inputs changed', async () => {
    // Not aligned to an hour: refused as bad input, so it fails without further attempts.
    const hour = H0 + 1;
    const failed = async (): Promise<{ failed: boolean; finishedOn?: number; inputs?: string }> => {
      const job = await queue.queue.getJob(recomputeJobId(hour, 'bad'));
      return job === undefined
        ? { failed: false }
        : {
            failed: await job.isFailed(),
            ...(job.finishedOn !== undefined ? { finishedOn: job.finishedOn } : {}),
            ...(job.data.inputs !== undefined ? { inputs: job.data.inputs } : {}),
          };
    };
    await queue.enqueueRecompute(hour, 'bad', 'gen:1');
    await eventually(async () => expect((await failed()).failed).toBe(true));
    const first = await failed();
    await queue.enqueueRecompute(hour, 'bad', 'gen:1');
    expect(await failed()).toEqual(first);
    await queue.enqueueRecompute(hour, 'bad', 'gen:2');
    await eventually(async () => expect(await failed()).toMatchObject({ failed: true, inputs: 'gen:2' }));
  });

  it('compacts an hour’s committed small files without changing a single answer', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: archiverGroup, topics: [topic] });
    await admin.disconnect();
    const committed = new Map((offsets[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const compactor = new ArchiveCompactor({ root, computer, committedOffsets: async () => committed });
    const countRows = async (): Promise<{ rows: number; distinct: number }> => {
      const db = await computer.connect();
      try {
        const r = await db.runAndReadAll(
          `SELECT count(*), count(DISTINCT (kafka_partition, kafka_offset, device_id, metric, ts, seq))
           FROM read_parquet('${join(root, 'readings')}/*/*/*.parquet')`,
        );
        const [rows, distinct] = (r.getRows()[0] ?? []).map(Number);
        return { rows: rows ?? -1, distinct: distinct ?? -1 };
      } finally {
        db.closeSync();
      }
    };
    const before = await countRows();
    for (let h = H0; h < H0 + 3 * HOUR_MS; h += HOUR_MS) {
      const filesBefore = (await compactor.listHour(h)).length;
      const result = await compactor.compactHour(h);
      expect(result.merged).toBeGreaterThan(0);
      const after = await compactor.listHour(h);
      expect(after.length).toBeLessThan(filesBefore);
      for (const p of [0, 1]) {
        const ranges = after.filter((x) => x.partition === p).sort((a, b) => a.firstOffset - b.firstOffset);
        for (let i = 1; i < ranges.length; i++) {
          expect((ranges[i] as { firstOffset: number }).firstOffset).toBeGreaterThan(
            (ranges[i - 1] as { lastOffset: number }).lastOffset,
          );
        }
      }
      await computer.recomputeHour(h);
    }
    expect(await countRows()).toEqual(before);
    // Every reading ever sent is in the archive exactly once (the fixture repeats some within one envelope).
    expect(before.rows).toBe(sent.length);
    const truth = groundTruth(sent.filter((r) => r.ts < H0 + 3 * HOUR_MS));
    for (const res of RESOLUTIONS) expectMatches(await fleet(res), truth, res);
  }, 60_000);

  // Last: its readings move the watermark past the hours the tests above compare.
  it('skips the dedup for an hour archived in event-time order and dedups only re-sent series, also after compaction, and dead-letters what it cannot decode', async () => {
    const h = H0 + 5 * HOUR_MS;
    const inOrder: Reading[] = [];
    for (let k = 0; k < 150; k++)
      for (let d = 0; d < 4; d++)
        for (const metric of METRICS)
          inOrder.push({
            deviceId: `dev-${d}`,
            metric,
            ts: h + k * 20_000 + d,
            value: (k * 7 + d) % 50,
            seq: k,
          });
    await produce(inOrder, byDevice);
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({
      topic,
      acks: ACKS_ALL,
      messages: [{ key: 'dev-0', partition: 0, value: Buffer.from('{"deviceId": not json') }],
    });
    await producer.disconnect();
    await eventually(async () => expect(deadLetters).toHaveLength(1), { timeoutMs: 30_000 });
    expect(deadLetters[0]?.value?.toString()).toBe('{"deviceId": not json');
    expect(String(deadLetters[0]?.headers?.[DLQ_HEADERS.source])).toBe('archiver');
    expect(String(deadLetters[0]?.headers?.[DLQ_HEADERS.reason])).toBe('malformed_json');

    const hourRows = async (): Promise<number> => {
      const db = await computer.connect();
      try {
        const r = await db.runAndReadAll(
          `SELECT count(*) FROM read_parquet('${readingsHourDir(root, h)}/*.parquet')`,
        );
        return Number(r.getRows()[0]?.[0]);
      } catch {
        return 0;
      } finally {
        db.closeSync();
      }
    };
    await eventually(async () => expect(await hourRows()).toBe(inOrder.length), { timeoutMs: 30_000 });
    const truth = groundTruth(inOrder);
    const inHour = async (): Promise<Map<string, Aggregate>> =>
      new Map([...(await fleet('1m'))].filter(([k]) => Number(k.split('|')[3]) >= h));
    expect((await computer.recomputeHour(h)).dedup).toBe('skipped');
    expectMatches(await inHour(), truth, '1m');

    /** Compacts the hour once the archiver committed past every file in it; `merged` files are expected. */
    const compactCommitted = (merged: number): Promise<void> =>
      eventually(async () => {
        const admin = kafka.admin();
        await admin.connect();
        const offsets = await admin.fetchOffsets({ groupId: archiverGroup, topics: [topic] });
        await admin.disconnect();
        const committed = new Map((offsets[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        const compactor = new ArchiveCompactor({ root, computer, committedOffsets: async () => committed });
        const files = await compactor.listHour(h);
        expect(files.every((f) => f.lastOffset < (committed.get(f.partition) ?? 0))).toBe(true);
        expect((await compactor.compactHour(h)).merged).toBe(merged);
      });
    await compactCommitted(2);
    expect((await computer.recomputeHour(h)).dedup).toBe('skipped');
    expectMatches(await inHour(), truth, '1m');

    // One device re-sends some readings (a producer retry, and one with another seq): only its series are
    // deduped, before and after another compaction, and the answers equal the full dedup's.
    const resent = inOrder
      .filter((r) => r.deviceId === 'dev-1' && r.ts < h + 40 * 20_000)
      .map((r, i) => (i % 7 === 0 ? { ...r, seq: 10_000 + i, value: -1 } : r));
    await produce(resent, byDevice);
    await eventually(async () => expect(await hourRows()).toBe(inOrder.length + resent.length), {
      timeoutMs: 30_000,
    });
    const dirtyTruth = groundTruth([...inOrder, ...resent]);
    expect((await computer.recomputeHour(h)).dedup).toBe('partial');
    expectMatches(await inHour(), dirtyTruth, '1m');
    await compactCommitted(1);
    expect((await computer.recomputeHour(h)).dedup).toBe('partial');
    expectMatches(await inHour(), dirtyTruth, '1m');
  }, 120_000);
});
