// Wires the real views from configuration: speed view (Redis, else Cassandra), DuckDB batch view, boundary, registry.
import { DuckDbBatchView, RedisBatchBoundary } from '@lambda-iot/batch-layer';
import { createCassandra, createRedis } from '@lambda-iot/connections';
import { RedisDeviceRegistry } from '@lambda-iot/devices';
import type { Logger } from '@lambda-iot/runtime';
import {
  CassandraSpeedView,
  FallbackSpeedView,
  RedisLastSeen,
  RedisSpeedView,
  SettledSpeedView,
} from '@lambda-iot/speed-layer';
import {
  CachedBatchView,
  LastKnownBoundary,
  RecentSpeedView,
  RedisPipelineStatus,
  ViewUnavailableError,
  type PipelineStatus,
} from '@lambda-iot/views';
import { Counter, type Registry } from 'prom-client';
import type { ServingDeps } from './build-app';
import type { ServingConfig } from './config';
import { LastKnownBatchManifest } from './last-known-manifest';
import { LastKnownRegistry } from './last-known-registry';
import { createAlertSource } from './routes/alert-routes';

export interface ServingViews extends Pick<
  ServingDeps,
  'batch' | 'speed' | 'boundary' | 'registry' | 'lastSeen' | 'status' | 'alerts'
> {
  /**
   * Resolves true once Redis is connected, false after `timeoutMs` without it. Requests fail fast while Redis
   * is not connected (no offline queue), so the app waits for it before serving, but starts without it.
   */
  redisReady(timeoutMs: number): Promise<boolean>;
  /** Closes every client the views opened. */
  close(): Promise<void>;
}

/**
 * Redis down: the speed view answers from Cassandra; the boundary, the batch manifest entries and the device
 * list answer as last read (see LastKnownBoundary, LastKnownBatchManifest, LastKnownRegistry), so series,
 * fleet and device queries keep answering correctly; what was never read before, and /v1/status, answer 503
 * with Retry-After until Redis is back.
 */
export function createViews(
  config: Readonly<ServingConfig>,
  logger: Logger,
  metrics: Registry,
): ServingViews {
  const prefix = config.redis.keyPrefix;
  // Request paths fail fast on a dead Redis so the speed view can fall back to Cassandra.
  const redis = createRedis(config.redis, {
    connectionName: 'serving',
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeoutMs: 2_000,
  });
  redis.on('error', (err: unknown) => logger.warn({ err }, 'redis error'));
  const cassandra = createCassandra(config.cassandra);
  const fallbacks = new Counter({
    name: 'serving_speed_fallbacks_total',
    help: 'Speed-view reads answered by Cassandra instead of Redis',
    labelNames: ['reason'] as const,
    registers: [metrics],
  });
  const stale = new Counter({
    name: 'serving_stale_reads_total',
    help: 'Reads answered as last read because Redis failed, by what was read',
    labelNames: ['what'] as const,
    registers: [metrics],
  });
  const cacheLookups = new Counter({
    name: 'serving_batch_cache_lookups_total',
    help: 'Batch-view series reads, by whether the cache answered',
    labelNames: ['result'] as const,
    registers: [metrics],
  });
  const stored = new FallbackSpeedView({
    redis: new RedisSpeedView({ redis, keyPrefix: prefix }),
    cassandra: new CassandraSpeedView({ client: cassandra }),
    onFallback: (reason) => fallbacks.inc({ reason }),
  });
  const speed = new RecentSpeedView({
    view:
      config.speedSettledMaxPoints > 0
        ? new SettledSpeedView({ source: stored, maxPoints: config.speedSettledMaxPoints })
        : stored,
    maxAgeMs: config.speedCacheMs,
    maxPoints: config.batchCacheMaxPoints,
  });
  const manifest = new LastKnownBatchManifest({ redis, keyPrefix: prefix, root: config.archiveRoot });
  manifest.onStale = () => stale.inc({ what: 'manifest' });
  const duckdb = new DuckDbBatchView({ root: config.archiveRoot, manifest });
  const batch = new CachedBatchView({
    view: duckdb,
    // The manifest names every file by its version, so the files answering a range are its version.
    versionOf: async (resolution, from, to) => {
      const files = await duckdb.resolveFiles(resolution, from, to);
      return `${files.direct.join(',')};${files.rollupFromHours.join(',')}`;
    },
    maxPoints: config.batchCacheMaxPoints,
    onLookup: (hit) => cacheLookups.inc({ result: hit ? 'hit' : 'miss' }),
  });
  const redisStatus = new RedisPipelineStatus(redis, { keyPrefix: prefix });
  const status: PipelineStatus = {
    read: () =>
      redisStatus.read().catch((err: unknown) => {
        throw new ViewUnavailableError('the pipeline status', err);
      }),
  };
  return {
    batch,
    speed,
    boundary: new LastKnownBoundary(new RedisBatchBoundary(redis, prefix), {
      onStale: () => stale.inc({ what: 'boundary' }),
    }),
    registry: new LastKnownRegistry(new RedisDeviceRegistry({ redis, keyPrefix: prefix }), () =>
      stale.inc({ what: 'registry' }),
    ),
    lastSeen: new RedisLastSeen({ redis, keyPrefix: prefix }),
    status,
    alerts: createAlertSource(redis, cassandra, prefix),
    redisReady: (timeoutMs) => {
      if (redis.status === 'ready') return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = (ok: boolean): void => {
          clearTimeout(timer);
          redis.off('ready', onReady);
          resolve(ok);
        };
        const onReady = (): void => done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        redis.on('ready', onReady);
      });
    },
    close: async () => {
      await duckdb.close();
      await cassandra.shutdown();
      redis.disconnect();
    },
  };
}
