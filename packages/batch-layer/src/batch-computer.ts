// The work of batch jobs: recompute one hour from the archive, roll one day up, publish atomically.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Redis } from 'ioredis';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { DAY_MS, HOUR_MS, systemClock, type Clock } from '@lambda-iot/core';
import {
  layerKeys,
  publishFile,
  readingsHourDir,
  sqlString,
  tempPathFor,
  type LayerKeys,
} from '@lambda-iot/archive';
import { batchFilePath, newVersion } from './batch-layout';
import { rollupSql, viewAsStructsSql, viewSelectSql } from './aggregate-sql';
import { computeMinuteAggregates, type DedupOutcome } from './minute-aggregates';
import { BatchManifest } from './batch-manifest';
import { BatchError } from './errors';
import { dayInputs, hoursOfDay, type HourEntry } from './manifest';

export type ProgressReporter = (percent: number) => Promise<void> | void;

export interface HourResult {
  hourStart: number;
  version: string;
  published: boolean;
  generation: number;
  inputFiles: number;
  rows1m: number;
  /**
   * How the hour was deduplicated (see `DedupOutcome`): 'ran' when the dedup query ran over every row (no proof,
   * a window with rows of two partitions, or a suspect copy older than its proven one); 'none' for an hour
   * without files.
   */
  dedup: DedupOutcome | 'none';
}

export interface DayResult {
  dayStart: number;
  version: string | undefined;
  published: boolean;
  hours: number;
}

export interface BatchComputerOptions {
  root: string;
  redis: Redis;
  keyPrefix: string;
  /** DuckDB threads for one job; the machine's cores by default. */
  threads?: number;
  /** DuckDB memory limit, e.g. '1GB'. */
  memoryLimit?: string;
  clock?: Clock;
}

export class BatchComputer {
  readonly manifest: BatchManifest;
  private readonly keys: LayerKeys;
  private readonly clock: Clock;
  private instance: Promise<DuckDBInstance> | undefined;

  constructor(private readonly options: BatchComputerOptions) {
    this.keys = layerKeys(options.keyPrefix);
    this.clock = options.clock ?? systemClock;
    this.manifest = new BatchManifest({
      redis: options.redis,
      keyPrefix: options.keyPrefix,
      root: options.root,
      now: () => this.clock.now(),
    });
  }

  /**
   * Recomputes one hour's 1m and 1h views into a new version and publishes it. The hour's generation is read
   * before the files are listed, so a file renamed in afterwards has a higher generation and keeps the hour
   * dirty (or un-current) for the next run. Safe to run twice or concurrently: each run writes its own version.
   */
  async recomputeHour(hourStart: number, progress: ProgressReporter = () => undefined): Promise<HourResult> {
    if (hourStart % HOUR_MS !== 0) {
      throw new BatchError(`hourStart ${hourStart} is not aligned to an hour`, {
        code: 'batch_bad_job',
        retriable: false,
      });
    }
    const genRaw = await this.options.redis.hget(this.keys.hourGenerations, String(hourStart));
    const generation = genRaw === null ? 0 : Number(genRaw);
    const files = await listParquet(readingsHourDir(this.options.root, hourStart));
    await progress(10);
    const version = newVersion('h', hourStart, generation);
    const minuteFile = batchFilePath(this.options.root, version, '1m', hourStart);
    const hourFile = batchFilePath(this.options.root, version, '1h', hourStart);
    let rows1m = 0;
    let dedup: HourResult['dedup'] = 'none';
    await this.withConnection(async (db) => {
      if (files.length === 0) {
        await db.run(
          `CREATE OR REPLACE TEMP TABLE agg_m AS SELECT * FROM (${emptyStructsSql()}) WHERE false`,
        );
      } else {
        dedup = await computeMinuteAggregates(db, files, 'agg_m');
      }
      await progress(50);
      rows1m = Number((await db.runAndReadAll('SELECT count(*) FROM agg_m')).getRows()[0]?.[0] ?? 0);
      await copyDurably(db, viewSelectSql('agg_m'), minuteFile);
      await progress(70);
      await copyDurably(db, viewSelectSql(`(${rollupSql('agg_m', HOUR_MS)})`), hourFile);
      await db.run('DROP TABLE agg_m');
    });
    await progress(90);
    const entry: HourEntry = { version, gen: generation, rows: rows1m, publishedAt: this.clock.now() };
    const result = await this.manifest.publishHour(hourStart, entry);
    await progress(100);
    return {
      hourStart,
      version,
      published: result.published,
      generation,
      inputFiles: files.length,
      rows1m,
      dedup,
    };
  }

  /** Rolls the day's published 1h views up into a 1d version, published only if those hours did not change. */
  async rollupDay(dayStart: number, progress: ProgressReporter = () => undefined): Promise<DayResult> {
    if (dayStart % DAY_MS !== 0) {
      throw new BatchError(`day start ${dayStart} is not aligned to a day`, {
        code: 'batch_bad_job',
        retriable: false,
      });
    }
    const hours = await this.manifest.hourEntries(hoursOfDay(dayStart));
    const inputs = dayInputs(dayStart, hours);
    if (hours.size === 0) return { dayStart, version: undefined, published: false, hours: 0 };
    const files = [...hours].map(([h, e]) => batchFilePath(this.options.root, e.version, '1h', h));
    await progress(20);
    const version = newVersion('d', dayStart, hours.size);
    await this.withConnection(async (db) => {
      await copyDurably(
        db,
        viewSelectSql(`(${rollupSql(`(${viewAsStructsSql(files)})`, DAY_MS)})`),
        batchFilePath(this.options.root, version, '1d', dayStart),
      );
    });
    await progress(80);
    const result = await this.manifest.publishDay(dayStart, {
      version,
      hours: inputs,
      publishedAt: this.clock.now(),
    });
    await progress(100);
    return { dayStart, version, published: result.published, hours: hours.size };
  }

  /** A DuckDB connection of this process's instance (created on first use). */
  async connect(): Promise<DuckDBConnection> {
    this.instance ??= DuckDBInstance.create(':memory:', {
      threads: String(this.options.threads ?? 2),
      ...(this.options.memoryLimit ? { memory_limit: this.options.memoryLimit } : {}),
    });
    return (await this.instance).connect();
  }

  async close(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    if (instance) (await instance).closeSync();
  }

  private async withConnection<T>(fn: (db: DuckDBConnection) => Promise<T>): Promise<T> {
    const db = await this.connect();
    try {
      return await fn(db);
    } catch (err) {
      throw err instanceof BatchError
        ? err
        : new BatchError(`duckdb: ${err instanceof Error ? err.message : String(err)}`, {
            code: 'batch_duckdb',
            cause: err,
          });
    } finally {
      db.closeSync();
    }
  }
}

/** Writes a query's result as one Parquet file: temp name, fsync, rename, so a version never holds half a file. */
async function copyDurably(db: DuckDBConnection, query: string, finalPath: string): Promise<void> {
  await mkdir(dirname(finalPath), { recursive: true });
  const temp = tempPathFor(finalPath);
  try {
    await db.run(
      `COPY (${query}) TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
    );
    await publishFile(temp, finalPath);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

function emptyStructsSql(): string {
  return `SELECT ''::VARCHAR AS device_id, ''::VARCHAR AS metric, 0::BIGINT AS window_start, 0::BIGINT AS count,
  0.0::DOUBLE AS sum, 0.0::DOUBLE AS min, 0.0::DOUBLE AS max, 0.0::DOUBLE AS sum_sq,
  {'ts': 0::BIGINT, 'v': 0.0::DOUBLE} AS f, {'ts': 0::BIGINT, 'v': 0.0::DOUBLE} AS l`;
}

async function listParquet(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((n) => n.endsWith('.parquet') && !n.startsWith('.'))
      .sort()
      .map((n) => join(dir, n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
