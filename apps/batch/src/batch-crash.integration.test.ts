import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QueueEvents } from 'bullmq';
import { DuckDBInstance } from '@duckdb/node-api';
import { createRedis } from '@lambda-iot/connections';
import { archiveFileName, layerKeys, readingsHourDir } from '@lambda-iot/archive';
import { BatchManifest, BatchQueue, DuckDbBatchView } from '@lambda-iot/batch-layer';
import { eventually, testRedisConfig, uniqueName, deleteKeys } from '@lambda-iot/testkit';

const MAIN = resolve(__dirname, '../dist/main.js');
const H = Date.UTC(2026, 0, 1, 12);
// Large enough that the job runs for a good fraction of a second after reporting 10%, so the kill lands mid-job.
const ROWS = 600_000;

describe('batch worker killed with SIGKILL mid-job', () => {
  const prefix = `${uniqueName('liot_bcrash')}:`;
  const queueName = uniqueName('q_bcrash');
  const bullPrefix = `${prefix}bull`;
  const connection = { host: '127.0.0.1', port: testRedisConfig(prefix).port, maxRetriesPerRequest: null };
  const redis = createRedis(testRedisConfig(prefix), { maxRetriesPerRequest: null });
  let root: string;
  const children: ChildProcess[] = [];

  function startWorker(): ChildProcess {
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        REDIS_PORT: String(connection.port),
        REDIS_KEY_PREFIX: prefix,
        ARCHIVE_ROOT: root,
        BATCH_QUEUE: queueName,
        BATCH_SCHEDULER: 'false',
        BATCH_DUCKDB_THREADS: '1',
        BATCH_LOCK_DURATION: '2s',
        OPS_PORT: '0',
        OPS_HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'liot-bcrash-'));
    const dir = readingsHourDir(root, H);
    await mkdir(dir, { recursive: true });
    const db = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
    // Every 10th reading is sent twice (a second file, other offsets): the view must count it once.
    for (const [name, where] of [
      [archiveFileName({ partition: 0, firstOffset: 0, lastOffset: ROWS - 1 }), ''],
      [archiveFileName({ partition: 1, firstOffset: 0, lastOffset: ROWS / 10 - 1 }), 'WHERE i % 10 = 0'],
    ] as const) {
      await db.run(`COPY (SELECT 'dev-' || (i % 50) AS device_id, 'temperature' AS metric,
          (${H} + (i * 7919) % 3600000)::BIGINT AS ts, (i % 1000) / 10.0 AS value, i::BIGINT AS seq,
          ${name.startsWith('part-0') ? 0 : 1}::INTEGER AS kafka_partition, i::BIGINT AS kafka_offset, 0::BIGINT AS ingest_ts
        FROM range(0, ${ROWS}) t(i) ${where}) TO '${join(dir, name)}' (FORMAT parquet)`);
    }
    db.closeSync();
    await redis.hset(layerKeys(prefix).hourGenerations, String(H), '1');
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await rm(root, { recursive: true, force: true });
  });

  it('retries the job on another worker, which publishes one complete version', async () => {
    const events = new QueueEvents(queueName, { connection, prefix: bullPrefix });
    await events.waitUntilReady();
    const stalled: string[] = [];
    const completed: string[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    events.on('completed', ({ jobId }) => completed.push(jobId));
    const queue = new BatchQueue({ connection, name: queueName, prefix: bullPrefix });
    try {
      const first = startWorker();
      const id = await queue.enqueueRecompute(H);
      await eventually(
        async () => {
          const job = await queue.queue.getJob(id);
          expect(job?.progress).toBeGreaterThanOrEqual(10);
        },
        { timeoutMs: 30_000, intervalMs: 10 },
      );
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      expect(completed).toEqual([]);
      expect(await redis.hget(layerKeys(prefix).batchManifest, String(H))).toBeNull();

      const second = startWorker();
      await eventually(() => expect(completed).toEqual([id]), { timeoutMs: 60_000 });
      expect(stalled).toEqual([id]);
      second.kill('SIGTERM');
      await new Promise((r) => second.once('exit', r));

      const manifest = new BatchManifest({ redis, keyPrefix: prefix, root });
      const view = new DuckDbBatchView({ root, manifest, threads: 1 });
      const points = await view.readFleet('temperature', '1h', H, H + 3_600_000);
      await view.close();
      expect(points).toHaveLength(50);
      expect(points.reduce((n, p) => n + p.aggregate.count, 0)).toBe(ROWS);
    } finally {
      await queue.queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await events.close();
    }
  }, 150_000);
});
