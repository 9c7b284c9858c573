// The speed app's configuration, read once from the environment and frozen.
import {
  cassandraConnectionFromEnv,
  EnvReader,
  kafkaConnectionFromEnv,
  redisConnectionFromEnv,
  type CassandraConnectionConfig,
  type EnvSource,
  type KafkaConnectionConfig,
  type RedisConnectionConfig,
} from '@lambda-iot/core';
import type { LogLevel } from '@lambda-iot/runtime';

export interface SpeedConfig {
  kafka: KafkaConnectionConfig;
  redis: RedisConnectionConfig;
  cassandra: CassandraConnectionConfig;
  groupId: string;
  readingsTopic: string;
  deadLetterTopic: string;
  /** Partitions `readings` is created with when missing (never added to an existing topic). */
  readingsPartitions: number;
  outOfOrdernessMs: number;
  allowedLatenessMs: number;
  flushIntervalMs: number;
  durableFlushIntervalMs: number;
  redisTtlMs: number;
  /** How often partition status goes to Redis and gauges are refreshed. */
  statusIntervalMs: number;
  commitIntervalMs: number;
  /** Partitions this process handles at the same time (overlaps one partition's sink waits with another's work). */
  partitionsConcurrently: number;
  /** How long a silent member keeps its partitions; a crashed process's partitions move after this. */
  sessionTimeoutMs: number;
  maxUnwrittenWindows: number;
  cassandraConcurrency: number;
  opsHost: string;
  opsPort: number;
  logLevel: LogLevel;
}

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(source: EnvSource = process.env): Readonly<SpeedConfig> {
  const env = new EnvReader(source);
  const readingsTopic = env.string('READINGS_TOPIC', 'readings');
  const config: SpeedConfig = {
    kafka: kafkaConnectionFromEnv(env, 'lambda-iot-speed'),
    redis: redisConnectionFromEnv(env),
    cassandra: cassandraConnectionFromEnv(env),
    groupId: env.string('SPEED_GROUP_ID', 'speed'),
    readingsTopic,
    deadLetterTopic: env.string('DLQ_TOPIC', `${readingsTopic}.dlq`),
    readingsPartitions: env.int('READINGS_PARTITIONS', 6, { min: 1, max: 10_000 }),
    outOfOrdernessMs: env.duration('SPEED_OUT_OF_ORDERNESS', '5s', { min: 0 }),
    allowedLatenessMs: env.duration('SPEED_ALLOWED_LATENESS', '2m', { min: 0 }),
    flushIntervalMs: env.duration('SPEED_FLUSH_INTERVAL', '500ms', { min: 10 }),
    durableFlushIntervalMs: env.duration('SPEED_DURABLE_FLUSH_INTERVAL', '5s', { min: 10 }),
    redisTtlMs: env.duration('SPEED_REDIS_TTL', '48h', { min: 60_000 }),
    statusIntervalMs: env.duration('SPEED_STATUS_INTERVAL', '2s', { min: 100 }),
    // Each commit writes Cassandra; open windows hold the committed offset minutes back anyway, so committing
    // more often than this would shorten no replay and cost Cassandra writes.
    commitIntervalMs: env.duration('SPEED_COMMIT_INTERVAL', '5s', { min: 0 }),
    partitionsConcurrently: env.int('SPEED_PARTITIONS_CONCURRENTLY', 3, { min: 1, max: 1_000 }),
    sessionTimeoutMs: env.duration('SPEED_SESSION_TIMEOUT', '30s', { min: 6_000, max: 300_000 }),
    maxUnwrittenWindows: env.int('SPEED_MAX_UNWRITTEN_WINDOWS', 100_000, { min: 1 }),
    cassandraConcurrency: env.int('SPEED_CASSANDRA_CONCURRENCY', 64, { min: 1, max: 1_024 }),
    opsHost: env.string('OPS_HOST', '0.0.0.0'),
    opsPort: env.int('OPS_PORT', 9102, { min: 0, max: 65_535 }),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  return env.done(config);
}
