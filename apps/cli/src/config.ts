// The CLI's connection settings from the environment (the same variables the batch app reads).
import {
  EnvReader,
  redisConnectionFromEnv,
  type EnvSource,
  type RedisConnectionConfig,
} from '@lambda-iot/core';

export interface CliConfig {
  redis: RedisConnectionConfig;
  queueName: string;
  bullPrefix: string;
}

export function loadConfig(source: EnvSource = process.env): Readonly<CliConfig> {
  const env = new EnvReader(source);
  const redis = redisConnectionFromEnv(env);
  return env.done({
    redis,
    queueName: env.string('BATCH_QUEUE', 'batch'),
    bullPrefix: env.string('BATCH_BULL_PREFIX', `${redis.keyPrefix}bull`),
  });
}
