// The batch app's configuration from the environment, validated in one pass.
import { resolve } from 'node:path';
import {
  EnvReader,
  kafkaConnectionFromEnv,
  redisConnectionFromEnv,
  type EnvSource,
  type KafkaConnectionConfig,
  type RedisConnectionConfig,
} from '@lambda-iot/core';
import { BASELINE_QUEUE } from '@lambda-iot/anomaly';
import { LOG_LEVELS, type LogLevel } from '@lambda-iot/runtime';

/** The `recompute-baselines` job (issue 9). */
export interface BatchAnomalyConfig {
  /** ANOMALY_BASELINES: run the baseline worker (and its daily schedule) in this process. */
  enabled: boolean;
  queueName: string;
  /** Days of 1-minute history each fit reads. */
  days: number;
  /** 1-minute means an hour of day needs before its own stats are used (else the fallbacks). */
  minSamples: number;
  /** Cron pattern, UTC; 'off' for on-demand only. */
  schedule: string | undefined;
}

export interface BatchConfig {
  redis: RedisConnectionConfig;
  /** Used only by compaction, to read the archiver group's committed offsets. */
  kafka: KafkaConnectionConfig;
  compact: boolean;
  compactMinFiles: number;
  archiverGroupId: string;
  readingsTopic: string;
  /** ARCHIVE_ROOT, default './.data/archive' resolved against the working directory. */
  archiveRoot: string;
  queueName: string;
  /** BullMQ key prefix; `<REDIS_KEY_PREFIX>bull` by default. */
  bullPrefix: string;
  concurrency: number;
  duckdbThreads: number;
  duckdbMemoryLimit: string | undefined;
  gcGraceMs: number;
  /** How long a job's lock lives; a killed worker's job is picked up again after about this long. */
  lockDurationMs: number;
  scheduleIntervalMs: number;
  /** Run the scheduler in this process (one or more; duplicates collapse on job ids). */
  scheduler: boolean;
  opsHost: string;
  opsPort: number;
  logLevel: LogLevel;
  anomaly: BatchAnomalyConfig;
}

export function loadConfig(source: EnvSource = process.env): Readonly<BatchConfig> {
  const env = new EnvReader(source);
  const redis = redisConnectionFromEnv(env);
  const config: BatchConfig = {
    redis,
    kafka: kafkaConnectionFromEnv(env, 'lambda-iot-batch'),
    compact: env.bool('BATCH_COMPACT', true),
    compactMinFiles: env.int('BATCH_COMPACT_MIN_FILES', 8, { min: 2 }),
    archiverGroupId: env.string('ARCHIVER_GROUP_ID', 'archiver'),
    readingsTopic: env.string('READINGS_TOPIC', 'readings'),
    archiveRoot: resolve(env.string('ARCHIVE_ROOT', './.data/archive')),
    queueName: env.string('BATCH_QUEUE', 'batch'),
    bullPrefix: env.string('BATCH_BULL_PREFIX', `${redis.keyPrefix}bull`),
    concurrency: env.int('BATCH_CONCURRENCY', 1, { min: 1, max: 64 }),
    duckdbThreads: env.int('BATCH_DUCKDB_THREADS', 2, { min: 1, max: 256 }),
    duckdbMemoryLimit: env.optionalString('BATCH_DUCKDB_MEMORY_LIMIT'),
    gcGraceMs: env.duration('BATCH_GC_GRACE', '1h', { min: 0 }),
    lockDurationMs: env.duration('BATCH_LOCK_DURATION', '30s', { min: 1_000 }),
    scheduleIntervalMs: env.duration('BATCH_SCHEDULE_INTERVAL', '30s', { min: 100 }),
    scheduler: env.bool('BATCH_SCHEDULER', true),
    opsHost: env.string('OPS_HOST', '0.0.0.0'),
    opsPort: env.int('OPS_PORT', 9104, { min: 0, max: 65_535 }),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    anomaly: {
      enabled: env.bool('ANOMALY_BASELINES', true),
      queueName: env.string('ANOMALY_QUEUE', BASELINE_QUEUE),
      days: env.int('ANOMALY_BASELINE_DAYS', 14, { min: 1, max: 366 }),
      minSamples: env.int('ANOMALY_MIN_SAMPLES', 30, { min: 1 }),
      schedule: scheduleOf(env.string('ANOMALY_BASELINE_SCHEDULE', '30 0 * * *')),
    },
  };
  return env.done(config);
}

function scheduleOf(pattern: string): string | undefined {
  return pattern.trim().toLowerCase() === 'off' ? undefined : pattern.trim();
}
