import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Kafka } from 'kafkajs';
import { DuckDBInstance } from '@duckdb/node-api';
import { encodeEnvelope } from '@lambda-iot/core';
import { createRedis } from '@lambda-iot/connections';
import { ACKS_ALL, createKafka, createProducer, ensureTopics } from '@lambda-iot/kafka';
import { listArchiveFiles, readArchiveClaims } from '@lambda-iot/archive';
import { eventually, testKafkaConfig, testRedisConfig, uniqueName, deleteKeys } from '@lambda-iot/testkit';

const MAIN = resolve(__dirname, '../dist/main.js');
const T0 = Date.UTC(2026, 0, 1, 10);

describe('archiver process killed with SIGKILL mid-stream', () => {
  const prefix = `${uniqueName('liot_crash')}:`;
  const topic = uniqueName('t_crash');
  const groupId = uniqueName('g_crash');
  let root: string;
  let kafka: Kafka;
  const children: ChildProcess[] = [];

  /** Where one archiver deployment reads and writes; each test has its own. */
  interface Deployment {
    topic: string;
    groupId: string;
    root: string;
  }
  const deployment = (): Deployment => ({ topic, groupId, root });

  function startArchiver(logLines?: string[], at: Deployment = deployment()): ChildProcess {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: testKafkaConfig().brokers.join(','),
        REDIS_PORT: String(testRedisConfig(prefix).port),
        REDIS_KEY_PREFIX: prefix,
        ARCHIVE_ROOT: at.root,
        ARCHIVER_GROUP_ID: at.groupId,
        READINGS_TOPIC: at.topic,
        ARCHIVER_FLUSH_MAX_READINGS: '250',
        ARCHIVER_FLUSH_MAX_AGE: '100ms',
        // Commits lag flushes, so the kill leaves flushed-but-uncommitted files for the restart to redo exactly.
        ARCHIVER_COMMIT_INTERVAL: '3s',
        ARCHIVE_LATENESS: '1m',
        // The killed member's partitions are reassigned after this; the broker's minimum is 6 s.
        ARCHIVER_SESSION_TIMEOUT: '6s',
        OPS_PORT: '0',
        OPS_HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout?.on('data', (d: Buffer) => logLines?.push(...d.toString().split('\n').filter(Boolean)));
    children.push(child);
    return child;
  }

  /** Readings from..to of six devices, each series strictly increasing in ts unless `spread` moves some an hour on. */
  async function produce(from: number, to: number, at = topic, spread = true): Promise<void> {
    const producer = createProducer(kafka);
    await producer.connect();
    const messages = [];
    for (let i = from; i < to; i += 10) {
      const device = `dev-${(i / 10) % 6}`;
      const readings = [];
      for (let j = i; j < Math.min(i + 10, to); j++) {
        readings.push({
          metric: 'temperature',
          ts: T0 + j * 1_000 + (spread ? (j % 3) * 3_600_000 : 0),
          value: j / 10,
          seq: j,
        });
      }
      messages.push({ key: device, value: encodeEnvelope({ deviceId: device, readings }) });
    }
    for (let k = 0; k < messages.length; k += 50)
      await producer.send({ topic: at, acks: ACKS_ALL, messages: messages.slice(k, k + 50) });
    await producer.disconnect();
  }

  async function archiveCounts(
    at = root,
  ): Promise<{ rows: number; distinct: number; distinctOffsets: number }> {
    const files = await listArchiveFiles(at);
    if (files.length === 0) return { rows: 0, distinct: 0, distinctOffsets: 0 };
    const db = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
    try {
      const list = files.map((f) => `'${f.path}'`).join(', ');
      const reader = await db.runAndReadAll(
        `SELECT count(*), count(DISTINCT (device_id, metric, ts, seq)), count(DISTINCT (kafka_partition, kafka_offset, seq))
         FROM read_parquet([${list}])`,
      );
      const [rows, distinct, distinctOffsets] = (reader.getRows()[0] ?? []).map(Number);
      return { rows: rows ?? 0, distinct: distinct ?? 0, distinctOffsets: distinctOffsets ?? 0 };
    } finally {
      db.closeSync();
    }
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'liot-crash-'));
    kafka = createKafka(testKafkaConfig('crash-it'));
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 2 }]);
    await admin.disconnect();
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    const redis = createRedis(testRedisConfig(prefix));
    await deleteKeys(redis, prefix);
    redis.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    await rm(root, { recursive: true, force: true });
  });

  it('loses and duplicates nothing, and never writes overlapping offset ranges', async () => {
    const total = 6_000;
    await produce(0, 3_000);
    const first = startArchiver();
    await eventually(async () => expect((await listArchiveFiles(root)).length).toBeGreaterThan(2), {
      timeoutMs: 60_000,
      intervalMs: 20,
    });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = await archiveCounts();
    expect(atKill.rows).toBeLessThan(total);

    await produce(3_000, total);
    const secondLog: string[] = [];
    const second = startArchiver(secondLog);
    await eventually(async () => expect((await archiveCounts()).rows).toBe(total), {
      timeoutMs: 90_000,
      intervalMs: 250,
    });
    second.kill('SIGTERM');
    const code = await new Promise((r) => second.once('exit', (c) => r(c)));
    expect(code).toBe(0);

    // The restart found flushed-but-uncommitted files and replayed up to exactly their ends.
    const resumed = secondLog
      .map(
        (l) =>
          JSON.parse(l) as {
            msg?: string;
            plannedEnds?: number[];
            committedOffset?: number;
            continuedHours?: number;
          },
      )
      .filter((l) => l.msg === 'partition assigned');
    expect(resumed.some((l) => (l.plannedEnds ?? []).length > 0)).toBe(true);
    // A partition committed before the kill hands its hours' order claims over to the restarted run.
    for (const l of resumed.filter((r) => (r.committedOffset ?? 0) > 0))
      expect(l.continuedHours).toBeGreaterThan(0);

    const counts = await archiveCounts();
    expect(counts).toEqual({ rows: total, distinct: total, distinctOffsets: total });
    const files = await listArchiveFiles(root);
    for (const p of [0, 1]) {
      const ranges = [
        ...new Map(files.filter((f) => f.partition === p).map((f) => [f.firstOffset, f.lastOffset])),
      ].sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < ranges.length; i++)
        expect((ranges[i] as number[])[0]).toBeGreaterThan((ranges[i - 1] as number[])[1] as number);
    }
  }, 200_000);

  it('hands its hours’ order claims to the next process, so an hour stays provably free of duplicates', async () => {
    const at: Deployment = {
      topic: uniqueName('t_handover'),
      groupId: uniqueName('g_handover'),
      root: await mkdtemp(join(tmpdir(), 'liot-handover-')),
    };
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [{ topic: at.topic, numPartitions: 2 }]);
      // Every series in event-time order, within one hour.
      await produce(0, 1_000, at.topic, false);
      const first = startArchiver(undefined, at);
      // Killed only once everything it read is committed, so the next process resumes past its files.
      await eventually(
        async () => {
          const [offsets] = await admin.fetchOffsets({ groupId: at.groupId, topics: [at.topic] });
          const committed = (offsets?.partitions ?? []).reduce(
            (n, p) => n + Math.max(0, Number(p.offset)),
            0,
          );
          expect(committed).toBe(100);
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));

      await produce(1_000, 2_000, at.topic, false);
      const log: string[] = [];
      const second = startArchiver(log, at);
      await eventually(async () => expect((await archiveCounts(at.root)).rows).toBe(2_000), {
        timeoutMs: 90_000,
        intervalMs: 250,
      });
      second.kill('SIGTERM');
      expect(await new Promise((r) => second.once('exit', (c) => r(c)))).toBe(0);

      const resumed = log
        .map((l) => JSON.parse(l) as { msg?: string; committedOffset?: number; continuedHours?: number })
        .filter((l) => l.msg === 'partition assigned');
      expect(resumed.map((r) => r.continuedHours)).toEqual([1, 1]);
      // Each partition's latest file of the hour claims order back to the partition's first file of the hour,
      // with no series listed: what the batch layer needs to skip its dedup, as if no process had died.
      const files = await listArchiveFiles(at.root);
      const db = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
      try {
        const claims = new Map(
          (
            await readArchiveClaims(
              db,
              files.map((f) => f.path),
            )
          ).map((c) => [c.path, c]),
        );
        for (const partition of [0, 1]) {
          const mine = files.filter((f) => f.partition === partition);
          const latest = mine.reduce((a, b) => (b.lastOffset > a.lastOffset ? b : a));
          expect({ partition, ...claims.get(latest.path) }).toEqual({
            partition,
            path: latest.path,
            orderedSince: Math.min(...mine.map((f) => f.firstOffset)),
            unordered: [],
          });
        }
      } finally {
        db.closeSync();
      }
    } finally {
      await admin.deleteTopics({ topics: [at.topic] }).catch(() => undefined);
      await admin.disconnect();
      await rm(at.root, { recursive: true, force: true });
    }
  }, 200_000);
});
