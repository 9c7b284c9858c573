// The CLI's connection settings from the environment (the same variables the batch app reads).
import { BASELINE_QUEUE } from '@lambda-iot/anomaly';
import type { MqttLogin } from '@lambda-iot/devices';
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
  /** The batch app's anomaly queue (ANOMALY_QUEUE), where `baselines fit` enqueues. */
  anomalyQueue?: string;
  /** The serving API `query` talks to, and the bearer token it sends. */
  servingUrl: string;
  servingToken: string | undefined;
  /** The broker `devices add|remove` keeps device logins on. */
  mqttUrl: string;
  /** Its admin login; undefined with MQTT_PROVISION=false (registry only). */
  mqttAdmin?: MqttLogin;
}

export function loadConfig(source: EnvSource = process.env): Readonly<CliConfig> {
  const env = new EnvReader(source);
  const redis = redisConnectionFromEnv(env);
  return env.done({
    redis,
    queueName: env.string('BATCH_QUEUE', 'batch'),
    bullPrefix: env.string('BATCH_BULL_PREFIX', `${redis.keyPrefix}bull`),
    anomalyQueue: env.string('ANOMALY_QUEUE', BASELINE_QUEUE),
    servingUrl: env.string('SERVING_URL', 'http://127.0.0.1:8090'),
    servingToken: env.optionalString('SERVING_TOKEN'),
    mqttUrl: env.string('MQTT_URL', 'mqtt://127.0.0.1:1884'),
    ...(env.bool('MQTT_PROVISION', true)
      ? {
          mqttAdmin: {
            username: env.string('MQTT_ADMIN_USERNAME', 'admin'),
            password: env.string('MQTT_ADMIN_PASSWORD', 'lambda-iot-admin'),
          },
        }
      : {}),
  });
}
