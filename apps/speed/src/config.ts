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
import { resolve } from 'node:path';
import {
  DEFAULT_DETECTOR_CONFIG,
  detectorConfig,
  parseMetricRules,
  SCORE_AT,
  SIMULATED_METRIC_RULES,
  type DetectorConfig,
  type MetricRule,
  type ScoreAt,
} from '@lambda-iot/anomaly';
import { LOG_LEVELS, type LogLevel } from '@lambda-iot/runtime';

/** Anomaly scoring of complete windows (issue 9): spike and drift wait for a published baseline, the physical rules do not. */
export interface SpeedAnomalyConfig {
  /** ANOMALY_ENABLED: wire the scoring sink at all. */
  enabled: boolean;
  /** ARCHIVE_ROOT: baseline artifacts are read from `<root>/models/baselines/`. */
  archiveRoot: string;
  /** How often the baseline pointer in Redis is polled for a new version. */
  baselinePollMs: number;
  alertsTopic: string;
  /** Partitions `alerts` is created with when missing. */
  alertsPartitions: number;
  /** ANOMALY_SCORE_AT: score windows once complete (default) or only once final (see AnomalyScoringSink). */
  scoreAt: ScoreAt;
  detector: DetectorConfig;
}

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
  anomaly: SpeedAnomalyConfig;
}

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
    anomaly: anomalyConfig(env),
  };
  return env.done(config);
}

function anomalyConfig(env: EnvReader): SpeedAnomalyConfig {
  let metrics: Record<string, MetricRule> = {};
  try {
    metrics = parseMetricRules(env.string('ANOMALY_METRICS', SIMULATED_METRIC_RULES));
  } catch (err) {
    env.addProblem(`ANOMALY_METRICS: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Defaults are the detector's own (tuned by bench/anomaly), so the app and the evaluation cannot disagree.
  const d = DEFAULT_DETECTOR_CONFIG;
  const driftThreshold = env.number('ANOMALY_DRIFT_THRESHOLD', d.driftThreshold, { min: 0 });
  const spikeThreshold = env.number('ANOMALY_SPIKE_THRESHOLD', d.spikeThreshold, { min: 0 });
  if (spikeThreshold < driftThreshold)
    env.addProblem('ANOMALY_SPIKE_THRESHOLD must not be below ANOMALY_DRIFT_THRESHOLD');
  const onlineMinWindows = env.int('ANOMALY_ONLINE_MIN_WINDOWS', d.onlineMinWindows, { min: 1, max: 1_440 });
  const onlineMaxWindows = env.int('ANOMALY_ONLINE_MAX_WINDOWS', d.onlineMaxWindows, { min: 2, max: 1_440 });
  if (onlineMaxWindows < onlineMinWindows)
    env.addProblem('ANOMALY_ONLINE_MAX_WINDOWS must not be below ANOMALY_ONLINE_MIN_WINDOWS');
  const minutes = (name: string, fallback: number): number =>
    Math.round(env.duration(name, `${fallback}m`, { min: 60_000, max: 86_400_000 }) / 60_000);
  return {
    enabled: env.bool('ANOMALY_ENABLED', true),
    archiveRoot: resolve(env.string('ARCHIVE_ROOT', './.data/archive')),
    baselinePollMs: env.duration('ANOMALY_BASELINE_POLL', '5s', { min: 100 }),
    alertsTopic: env.string('ALERTS_TOPIC', 'alerts'),
    alertsPartitions: env.int('ALERTS_PARTITIONS', 3, { min: 1, max: 10_000 }),
    scoreAt: env.oneOf('ANOMALY_SCORE_AT', SCORE_AT, 'complete'),
    detector: detectorConfig({
      spikeThreshold,
      driftThreshold,
      driftWindows: env.int('ANOMALY_DRIFT_WINDOWS', d.driftWindows, { min: 1, max: 1_440 }),
      stuckMinutes: minutes('ANOMALY_STUCK', d.stuckMinutes),
      gapMinutes: minutes('ANOMALY_GAP', d.gapMinutes),
      resolveWindows: env.int('ANOMALY_RESOLVE_WINDOWS', d.resolveWindows, { min: 1, max: 1_440 }),
      spikeStep: env.number('ANOMALY_SPIKE_STEP', d.spikeStep, { min: 0 }),
      driftCusumSlack: env.number('ANOMALY_DRIFT_CUSUM_SLACK', d.driftCusumSlack, { min: 0 }),
      driftCusumThreshold: env.bool('ANOMALY_DRIFT_CUSUM', true)
        ? env.number('ANOMALY_DRIFT_CUSUM_THRESHOLD', d.driftCusumThreshold, { min: 0.1 })
        : Number.POSITIVE_INFINITY,
      driftCusumCap: env.number('ANOMALY_DRIFT_CUSUM_CAP', d.driftCusumCap, { min: 0.1 }),
      onlineMinWindows,
      onlineMaxWindows,
      onlineMaxAgeMinutes: minutes('ANOMALY_ONLINE_MAX_AGE', d.onlineMaxAgeMinutes),
      metrics,
    }),
  };
}
