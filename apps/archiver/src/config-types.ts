// The configuration vocabulary the archiver borrows from core and runtime, in one place.
export { EnvReader, kafkaConnectionFromEnv, redisConnectionFromEnv } from '@lambda-iot/core';
export type { EnvSource, KafkaConnectionConfig, RedisConnectionConfig } from '@lambda-iot/core';
export type { LogLevel } from '@lambda-iot/runtime';
