// Environment defaults of the simulator CLI (connections, topic, gateway URL); flags on the command line override the run itself.
import {
  EnvReader,
  kafkaConnectionFromEnv,
  redisConnectionFromEnv,
  type EnvSource,
  type KafkaConnectionConfig,
  type RedisConnectionConfig,
} from '@lambda-iot/core';
import { TOPICS } from '@lambda-iot/kafka';

export interface SimulatorConfig {
  kafka: KafkaConnectionConfig;
  redis: RedisConnectionConfig;
  gatewayUrl: string;
  mqttUrl: string;
  /**
   * The broker's dynamic-security admin login: `--register-devices` gives each device its broker login
   * (username = deviceId, password = its token) through it. Undefined with MQTT_PROVISION=false.
   */
  mqttAdmin: { username: string; password: string } | undefined;
  readingsTopic: string;
}

export function loadConfig(source: EnvSource = process.env): Readonly<SimulatorConfig> {
  const env = new EnvReader(source);
  const config: SimulatorConfig = {
    kafka: kafkaConnectionFromEnv(env, 'simulator'),
    redis: redisConnectionFromEnv(env),
    gatewayUrl: env.string('GATEWAY_URL', 'http://127.0.0.1:8080'),
    mqttUrl: env.string('MQTT_URL', 'mqtt://127.0.0.1:1884'),
    mqttAdmin: env.bool('MQTT_PROVISION', true)
      ? {
          username: env.string('MQTT_ADMIN_USERNAME', 'admin'),
          password: env.string('MQTT_ADMIN_PASSWORD', 'lambda-iot-admin'),
        }
      : undefined,
    readingsTopic: env.string('READINGS_TOPIC', TOPICS.readings),
  };
  if (!/^mqtts?:\/\/|^wss?:\/\//.test(config.mqttUrl))
    env.addProblem(`MQTT_URL: expected mqtt://, mqtts://, ws:// or wss://, got ${config.mqttUrl}`);
  if (!/^https?:\/\//.test(config.gatewayUrl))
    env.addProblem(`GATEWAY_URL: expected http(s)://…, got ${config.gatewayUrl}`);
  return env.done(config);
}
