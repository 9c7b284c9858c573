// Real stores seeded with known readings for the serving integration tests: archive, batch view, speed view, registry.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  archiveFileName,
  HourLedger,
  ParquetReadingsWriter,
  ReadingRows,
  readingsHourDir,
} from '@lambda-iot/archive';
import { BatchComputer, RedisBatchBoundary } from '@lambda-iot/batch-layer';
import { createCassandra, createRedis, ensureKeyspace } from '@lambda-iot/connections';
import { HOUR_MS, MINUTE_MS } from '@lambda-iot/core';
import { RedisDeviceRegistry } from '@lambda-iot/devices';
import { CassandraWindowSink, ensureSpeedTable, RedisWindowSink } from '@lambda-iot/speed-layer';
import { testCassandraConfig, testRedisConfig, uniqueName } from '@lambda-iot/testkit';
import { loadConfig, type ServingConfig } from '../config';
import { aggregatesOf } from './window-truth';

export const SERVING_TOKEN = 'serving-it-token-0123456789';
export const METRIC = 'temperature';
/** First hour of the seeded readings. */
export const H0 = Date.UTC(2026, 0, 5, 0);

export interface SeedReading {
  deviceId: string;
  ts: number;
  value: number;
}

/** One reading per device per minute over `hours` hours from H0; integer values, so every sum is exact. */
export function seedReadings(devices: readonly string[], hours: number): SeedReading[] {
  const out: SeedReading[] = [];
  for (let m = 0; m < hours * 60; m++) {
    devices.forEach((deviceId, d) => {
      out.push({ deviceId, ts: H0 + m * MINUTE_MS + (d + 1) * 1_000, value: ((m * 7 + d * 13) % 50) - 10 });
    });
  }
  return out;
}

export interface SeededStoresOptions {
  devices: readonly string[];
  hours: number;
  /** Redis port; default the shared stack's. */
  redisPort?: number;
}

/**
 * Every reading is archived (one Parquet file per hour) and sealed, and is in the speed view (Redis and
 * Cassandra) as the speed layer would have written it. No hour is published until `publishHour`, which runs
 * the batch job and refreshes B, like a batch worker finishing a recompute.
 */
export class SeededStores {
  readonly id = uniqueName('serving_it');
  readonly keyPrefix = `${this.id}:`;
  readonly keyspace = this.id;
  readonly readings: SeedReading[];
  archiveRoot = '';
  redis!: Redis;
  private cassandra!: ReturnType<typeof createCassandra>;
  private computer!: BatchComputer;
  private boundary!: RedisBatchBoundary;

  constructor(private readonly options: SeededStoresOptions) {
    this.readings = seedReadings(options.devices, options.hours);
  }

  get redisPort(): number {
    return this.options.redisPort ?? testRedisConfig('').port;
  }

  async seed(): Promise<void> {
    this.archiveRoot = await mkdtemp(join(tmpdir(), `${this.id}-archive-`));
    this.redis = createRedis(
      { ...testRedisConfig(this.keyPrefix), port: this.redisPort },
      { maxRetriesPerRequest: null },
    );
    const cassandraConfig = testCassandraConfig(this.keyspace);
    await ensureKeyspace(cassandraConfig);
    this.cassandra = createCassandra(cassandraConfig);
    await ensureSpeedTable(this.cassandra);
    this.computer = new BatchComputer({
      root: this.archiveRoot,
      redis: this.redis,
      keyPrefix: this.keyPrefix,
      threads: 1,
    });
    this.boundary = new RedisBatchBoundary(this.redis, this.keyPrefix);

    await new RedisDeviceRegistry({ redis: this.redis, keyPrefix: this.keyPrefix }).registerMany(
      this.options.devices.map((deviceId, i) => ({
        deviceId,
        tags: { site: `site-${i % 2}`, type: 'pump' },
      })),
    );
    await this.writeArchive();
    await this.writeSpeedView();
  }

  /** The batch job for hour `index` (from H0), then B recomputed; returns the new B. */
  async publishHour(index: number): Promise<number> {
    const result = await this.computer.recomputeHour(H0 + index * HOUR_MS);
    if (!result.published) throw new Error(`hour ${index} was not published`);
    return this.boundary.refresh();
  }

  /** The app's configuration as main would load it from the environment, pointed at these stores. */
  config(overrides: Record<string, string> = {}): Readonly<ServingConfig> {
    return loadConfig({
      SERVING_TOKENS: SERVING_TOKEN,
      SERVING_RATE_LIMIT: '1000000',
      REDIS_HOST: '127.0.0.1',
      REDIS_PORT: String(this.redisPort),
      REDIS_KEY_PREFIX: this.keyPrefix,
      CASSANDRA_CONTACT_POINTS: testCassandraConfig(this.keyspace).contactPoints.join(','),
      CASSANDRA_KEYSPACE: this.keyspace,
      ARCHIVE_ROOT: this.archiveRoot,
      LOG_LEVEL: 'silent',
      ...overrides,
    });
  }

  /** Deletes what was seeded; `redisGone` when the test stopped a private Redis (its keys went with it). */
  async close(options: { redisGone?: boolean } = {}): Promise<void> {
    await this.computer?.close();
    if (options.redisGone === true) this.redis?.disconnect();
    else if (this.redis !== undefined) {
      let cursor = '0';
      do {
        const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.keyPrefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await this.redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      this.redis.disconnect();
    }
    await this.cassandra?.execute(`DROP KEYSPACE IF EXISTS ${this.keyspace}`).catch(() => undefined);
    await this.cassandra?.shutdown();
    if (this.archiveRoot !== '') await rm(this.archiveRoot, { recursive: true, force: true });
  }

  private async writeArchive(): Promise<void> {
    const db = await this.computer.connect();
    try {
      const writer = new ParquetReadingsWriter(db);
      let offset = 0;
      for (let h = 0; h < this.options.hours; h++) {
        const hour = H0 + h * HOUR_MS;
        const rows = new ReadingRows(0);
        for (const r of this.readings) {
          if (r.ts >= hour && r.ts < hour + HOUR_MS)
            rows.push(r.deviceId, METRIC, r.ts, r.value, null, offset++, r.ts);
        }
        const name = archiveFileName({
          partition: 0,
          firstOffset: offset - rows.length,
          lastOffset: offset - 1,
        });
        await writer.write(
          join(readingsHourDir(this.archiveRoot, hour), name),
          rows,
          rows.ts.map((_, i) => i),
        );
      }
    } finally {
      db.closeSync();
    }
    // One flush record for every hour, with the watermark past the last one: all hours are sealed, none dirty.
    const end = H0 + this.options.hours * HOUR_MS;
    await new HourLedger({ redis: this.redis, keyPrefix: this.keyPrefix, latenessMs: 0 }).recordFlush({
      partition: 0,
      hours: Array.from({ length: this.options.hours }, (_, h) => H0 + h * HOUR_MS),
      maxTs: end,
    });
  }

  private async writeSpeedView(): Promise<void> {
    const updates = this.options.devices.flatMap((deviceId) =>
      [...aggregatesOf(this.readings, deviceId, '1m')].map(([windowStart, aggregate]) => ({
        deviceId,
        metric: METRIC,
        windowStart,
        aggregate,
        final: true,
      })),
    );
    await new RedisWindowSink({ redis: this.redis, keyPrefix: this.keyPrefix }).write(updates);
    await new CassandraWindowSink({ client: this.cassandra }).write(updates);
  }
}
