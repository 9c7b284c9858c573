// The serving app's configuration, read once from the environment and frozen.
import {
  cassandraConnectionFromEnv,
  DAY_MS,
  EnvReader,
  redisConnectionFromEnv,
  type CassandraConnectionConfig,
  type EnvSource,
  type RedisConnectionConfig,
} from '@lambda-iot/core';
import { LOG_LEVELS, type LogLevel } from '@lambda-iot/runtime';

export interface ServingConfig {
  host: string;
  port: number;
  tokens: string[];
  maxPoints: number;
  maxRangeDays: { '1m': number; '1h': number; '1d': number };
  maxFleetPoints: number;
  rateLimit: { max: number; timeWindowMs: number };
  fleetConcurrency: number;
  /** Windows held by the cache of batch-view answers (~0.5 KB each with their JSON). */
  batchCacheMaxPoints: number;
  /** How long a speed-view answer is reused by identical queries; 0 reads the store for every request. */
  speedCacheMs: number;
  /** Closed speed windows kept in memory so reads fetch only the open tail from Redis; 0 keeps none. */
  speedSettledMaxPoints: number;
  /** Processes serving the port (node:cluster); 1 serves from this process. */
  workers: number;
  redis: RedisConnectionConfig;
  cassandra: CassandraConnectionConfig;
  archiveRoot: string;
  logLevel: LogLevel;
}

/**
 * SERVING_HOST (127.0.0.1), SERVING_PORT (8090), SERVING_TOKENS (required, comma-separated, each ≥ 16 chars),
 * SERVING_MAX_POINTS (1500), SERVING_MAX_RANGE_DAYS_1M/_1H/_1D (7/366/3653), SERVING_MAX_FLEET_POINTS (100000),
 * SERVING_RATE_LIMIT (requests per token per minute, 6000), SERVING_FLEET_CONCURRENCY (8),
 * SERVING_BATCH_CACHE_POINTS (500000; also bounds the kept speed answers), SERVING_SPEED_CACHE_MS (250),
 * SERVING_SPEED_SETTLED_POINTS (1000000),
 * SERVING_WORKERS (1), REDIS_*,
 * CASSANDRA_*, ARCHIVE_ROOT (.data/archive), LOG_LEVEL (info).
 */
export function loadConfig(source: EnvSource = process.env): Readonly<ServingConfig> {
  const env = new EnvReader(source);
  const tokens = env.list('SERVING_TOKENS');
  if (env.has('SERVING_TOKENS') && tokens.length === 0) env.addProblem('SERVING_TOKENS: no token given');
  for (const [i, t] of tokens.entries()) {
    if (t.length < 16) env.addProblem(`SERVING_TOKENS: token ${i + 1} is shorter than 16 characters`);
  }
  const config: ServingConfig = {
    host: env.string('SERVING_HOST', '127.0.0.1'),
    port: env.int('SERVING_PORT', 8090, { min: 0, max: 65_535 }),
    tokens,
    maxPoints: env.int('SERVING_MAX_POINTS', 1_500, { min: 1, max: 1_000_000 }),
    maxRangeDays: {
      '1m': env.int('SERVING_MAX_RANGE_DAYS_1M', 7, { min: 1 }),
      '1h': env.int('SERVING_MAX_RANGE_DAYS_1H', 366, { min: 1 }),
      '1d': env.int('SERVING_MAX_RANGE_DAYS_1D', 3_653, { min: 1 }),
    },
    maxFleetPoints: env.int('SERVING_MAX_FLEET_POINTS', 100_000, { min: 1 }),
    rateLimit: { max: env.int('SERVING_RATE_LIMIT', 6_000, { min: 1 }), timeWindowMs: 60_000 },
    fleetConcurrency: env.int('SERVING_FLEET_CONCURRENCY', 8, { min: 1, max: 256 }),
    batchCacheMaxPoints: env.int('SERVING_BATCH_CACHE_POINTS', 500_000, { min: 0 }),
    speedCacheMs: env.int('SERVING_SPEED_CACHE_MS', 250, { min: 0, max: 60_000 }),
    speedSettledMaxPoints: env.int('SERVING_SPEED_SETTLED_POINTS', 1_000_000, { min: 0 }),
    workers: env.int('SERVING_WORKERS', 1, { min: 1, max: 64 }),
    redis: redisConnectionFromEnv(env),
    cassandra: cassandraConnectionFromEnv(env),
    archiveRoot: env.string('ARCHIVE_ROOT', '.data/archive'),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  return env.done(config);
}

/** The range limits in ms, as buildApp takes them. */
export function maxRangeMs(config: Readonly<ServingConfig>): { '1m': number; '1h': number; '1d': number } {
  const d = config.maxRangeDays;
  return { '1m': d['1m'] * DAY_MS, '1h': d['1h'] * DAY_MS, '1d': d['1d'] * DAY_MS };
}
