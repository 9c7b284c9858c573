import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Kafka } from 'kafkajs';
import { DuckDBInstance } from '@duckdb/node-api';
import { encodeEnvelope } from '@lambda-iot/core';
import { createRedis } from '@lambda-iot/connections';
import { ACKS_ALL, createKafka, createProducer, ensureTopics } from '@lambda-iot/kafka';
import { listArchiveFiles } from '@lambda-iot/archive';
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

  function startArchiver(logLines?: string[]): ChildProcess {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        KAFKA_BROKERS: testKafkaConfig().brokers.join(','),
        REDIS_PORT: String(testRedisConfig(prefix).port),
        REDIS_KEY_PREFIX: prefix,
        ARCHIVE_ROOT: root,
        ARCHIVER_GROUP_ID: groupId,
        READINGS_TOPIC: topic,
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

  async function produce(from: number, to: number): Promise<void> {
    const producer = createProducer(kafka);
    await producer.connect();
    const messages = [];
    for (let i = from; i < to; i += 10) {
      const device = `dev-${(i / 10) % 6}`;
      const readings = [];
      for (let j = i; j < Math.min(i + 10, to); j++) {
        readings.push({
          metric: 'temperature',
          ts: T0 + j * 1_000 + (j % 3) * 3_600_000,
          value: j / 10,
          seq: j,
        });
      }
      messages.push({ key: device, value: encodeEnvelope({ deviceId: device, readings }) });
    }
    for (let k = 0; k < messages.length; k += 50)
      await producer.send({ topic, acks: ACKS_ALL, messages: messages.slice(k, k + 50) });
    await producer.disconnect();
  }

  async function archiveCounts(): Promise<{ rows: number; distinct: number; distinctOffsets: number }> {
    const files = await listArchiveFiles(root);
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
      .map((l) => JSON.parse(l) as { msg?: string; plannedEnds?: number[] })
      .filter((l) => l.msg === 'partition assigned');
    expect(resumed.some((l) => (l.plannedEnds ?? []).length > 0)).toBe(true);

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
});
