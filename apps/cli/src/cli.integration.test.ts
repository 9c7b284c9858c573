import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createRedis } from '@lambda-iot/connections';
import { archiveFileName, layerKeys, readingsHourDir } from '@lambda-iot/archive';
import { testRedisConfig, uniqueName, deleteKeys } from '@lambda-iot/testkit';
import { runCli as run } from './test-support/run-cli';

const BATCH = resolve(__dirname, '../../batch/dist/main.js');
const H = Date.UTC(2026, 0, 1, 23);

describe('lambda-iot recompute and batch status against a running batch app', () => {
  const prefix = `${uniqueName('liot_cli')}:`;
  const queue = uniqueName('q_cli');
  const redis = createRedis(testRedisConfig(prefix));
  let root: string;
  let worker: ChildProcess;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'liot-cli-'));
    env = {
      PATH: process.env.PATH,
      REDIS_PORT: String(testRedisConfig(prefix).port),
      REDIS_KEY_PREFIX: prefix,
      BATCH_QUEUE: queue,
      ARCHIVE_ROOT: root,
      BATCH_SCHEDULER: 'false',
      BATCH_DUCKDB_THREADS: '1',
      OPS_PORT: '0',
      OPS_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    // Two hours of data across midnight, written straight into the archive layout.
    const db = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
    for (const h of [H, H + 3_600_000]) {
      const dir = readingsHourDir(root, h);
      await mkdir(dir, { recursive: true });
      await db.run(`COPY (SELECT 'dev-' || (i % 5) AS device_id, 'temperature' AS metric, (${h} + i * 1000)::BIGINT AS ts,
          i / 2.0 AS value, i::BIGINT AS seq, 0::INTEGER AS kafka_partition, i::BIGINT AS kafka_offset, 0::BIGINT AS ingest_ts
        FROM range(0, 3000) t(i)) TO '${join(dir, archiveFileName({ partition: 0, firstOffset: h, lastOffset: h + 2999 }))}' (FORMAT parquet)`);
    }
    db.closeSync();
    worker = spawn(process.execPath, [BATCH], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  });

  afterAll(async () => {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await deleteKeys(redis, prefix);
    redis.disconnect();
    await rm(root, { recursive: true, force: true });
  });

  it('recompute --wait runs every hour and the day rollups, draws progress, and exits 0', async () => {
    const result = await run(
      ['recompute', '--from', new Date(H).toISOString(), '--to', String(H + 2 * 3_600_000), '--wait'],
      env,
    );
    expect(result.stderr).toContain('[##############################] 4/4 jobs');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ jobs: 4, completed: 4, failed: 0 });
    const manifest = await redis.hkeys(layerKeys(prefix).batchManifest);
    expect(manifest.sort()).toEqual(
      [String(H), String(H + 3_600_000), `d:${H - 23 * 3_600_000}`, `d:${H + 3_600_000}`].sort(),
    );
  }, 60_000);

  it('batch status reports the boundary, job counts and dirty hours as JSON', async () => {
    await redis.zadd(layerKeys(prefix).dirtyHours, 1, String(H));
    const result = await run(['batch', 'status', '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      boundary: null,
      boundaryMs: 0,
      sealedThrough: null,
      jobs: { queued: 0, active: 0, failed: 0 },
      dirtyHours: [new Date(H).toISOString()],
    });
  }, 30_000);

  it('exits 2 on a usage error', async () => {
    expect((await run(['recompute', '--from', 'soon'], env)).code).toBe(2);
  });
});
