// The archiver's configuration from the environment, validated in one pass.
import { resolve } from 'node:path';
import {
  EnvReader,
  kafkaConnectionFromEnv,
  redisConnectionFromEnv,
  type EnvSource,
  type KafkaConnectionConfig,
  type RedisConnectionConfig,
} from '@lambda-iot/core';
import { LOG_LEVELS, type LogLevel } from '@lambda-iot/runtime';

export interface ArchiverConfig {
  kafka: KafkaConnectionConfig;
  redis: RedisConnectionConfig;
  /** ARCHIVE_ROOT, default './.data/archive' resolved against the working directory. */
  archiveRoot: string;
  groupId: string;
  topic: string;
  latenessMs: number;
  /** ARCHIVE_PARTITION_IDLE_TIMEOUT: a partition without readings this long no longer holds hours open. */
  partitionIdleTimeoutMs: number;
  /** DLQ_TOPIC, default `<READINGS_TOPIC>.dlq`: where records the archiver cannot store go. */
  deadLetterTopic: string;
  flushMaxReadings: number;
  flushMaxAgeMs: number;
  commitIntervalMs: number;
  sessionTimeoutMs: number;
  opsHost: string;
  opsPort: number;
  logLevel: LogLevel;
}

export function loadConfig(source: EnvSource = process.env): Readonly<ArchiverConfig> {
  const env = new EnvReader(source);
  const topic = env.string('READINGS_TOPIC', 'readings');
  const config: ArchiverConfig = {
    kafka: kafkaConnectionFromEnv(env, 'lambda-iot-archiver'),
    redis: redisConnectionFromEnv(env),
    archiveRoot: resolve(env.string('ARCHIVE_ROOT', './.data/archive')),
    groupId: env.string('ARCHIVER_GROUP_ID', 'archiver'),
    topic,
    latenessMs: env.duration('ARCHIVE_LATENESS', '10m', { min: 0 }),
    partitionIdleTimeoutMs: env.duration('ARCHIVE_PARTITION_IDLE_TIMEOUT', '2m', { min: 0 }),
    deadLetterTopic: env.string('DLQ_TOPIC', `${topic}.dlq`),
    flushMaxReadings: env.int('ARCHIVER_FLUSH_MAX_READINGS', 100_000, { min: 1 }),
    flushMaxAgeMs: env.duration('ARCHIVER_FLUSH_MAX_AGE', '5s', { min: 10 }),
    commitIntervalMs: env.duration('ARCHIVER_COMMIT_INTERVAL', '1s', { min: 0 }),
    sessionTimeoutMs: env.duration('ARCHIVER_SESSION_TIMEOUT', '30s', { min: 6_000 }),
    opsHost: env.string('OPS_HOST', '0.0.0.0'),
    opsPort: env.int('OPS_PORT', 9103, { min: 0, max: 65_535 }),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  return env.done(config);
}
