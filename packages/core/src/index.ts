// Public API of @lambda-iot/core: the reading contract, its codec and validation, windows, aggregates, config.
export { LambdaIotError, ValidationError, ConfigError, isLambdaIotError, isRetriable } from './errors';
export type { LambdaIotErrorOptions } from './errors';

export {
  ID_PATTERN,
  MAX_DEVICE_ID_LENGTH,
  MAX_METRIC_LENGTH,
  MIN_TS,
  MAX_FUTURE_MS,
  readingKey,
  isValidId,
} from './reading';
export type { Reading, EnvelopeReading, Envelope } from './reading';

export { REJECTION_REASONS, isRejectionReason, describeValue } from './rejection';
export type { RejectionReason, Rejection } from './rejection';

export { DEFAULT_VALIDATION_LIMITS, validationLimitsAt, validateEnvelope } from './validate-envelope';
export type { ValidationLimits, EnvelopeValidation } from './validate-envelope';

export {
  CONTENT_TYPE_HEADER,
  JSON_CONTENT_TYPE,
  ACCEPTED_CONTENT_TYPES,
  isEnvelopeContentType,
  encodeEnvelope,
  decodeEnvelope,
} from './envelope-codec';
export { judgeReadingsRecord } from './readings-record';
export type { ReadingsRecord } from './readings-record';

export {
  RESOLUTIONS,
  RESOLUTION_MS,
  MINUTE_MS,
  HOUR_MS,
  DAY_MS,
  isResolution,
  parseResolution,
  windowStart,
  windowEnd,
  windowStarts,
  countWindows,
  hourStart,
  dayStart,
  utcDay,
  utcHour,
  parseUtcDay,
} from './window';
export type { Resolution } from './window';

export {
  emptyAggregate,
  isEmptyAggregate,
  cloneAggregate,
  aggregateOf,
  addToAggregate,
  mergeAggregates,
  mergeInto,
  deriveStats,
  aggregatesEqual,
  rollup,
} from './aggregate';
export type { Aggregate, DerivedStats } from './aggregate';

export { EnvReader } from './config/env-reader';
export type { EnvSource, NumberRange } from './config/env-reader';
export { deepFreeze } from './config/deep-freeze';
export { parseDuration } from './config/parse-duration';
export {
  SASL_MECHANISMS,
  tlsFromEnv,
  kafkaConnectionFromEnv,
  redisConnectionFromEnv,
  cassandraConnectionFromEnv,
} from './config/connection-config';
export type {
  TlsConfig,
  SaslMechanism,
  SaslConfig,
  KafkaConnectionConfig,
  RedisConnectionConfig,
  CassandraConnectionConfig,
} from './config/connection-config';

export { systemClock, ManualClock } from './clock';
export type { Clock } from './clock';

export { DEFAULT_BACKOFF, DEFAULT_MAX_ATTEMPTS, backoffDelay, sleep, retry } from './backoff';
export type { BackoffPolicy, RetryOptions } from './backoff';
