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
  const config: ArchiverConfig = {
    kafka: kafkaConnectionFromEnv(env, 'lambda-iot-archiver'),
    redis: redisConnectionFromEnv(env),
    archiveRoot: resolve(env.string('ARCHIVE_ROOT', './.data/archive')),
    groupId: env.string('ARCHIVER_GROUP_ID', 'archiver'),
    topic: env.string('READINGS_TOPIC', 'readings'),
    latenessMs: env.duration('ARCHIVE_LATENESS', '10m', { min: 0 }),
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
