// The gateway's configuration, from the environment only here, validated all at once and frozen.
import { hostname } from 'node:os';
import {
  EnvReader,
  kafkaConnectionFromEnv,
  redisConnectionFromEnv,
  type EnvSource,
  type KafkaConnectionConfig,
  type RedisConnectionConfig,
} from '@lambda-iot/core';
import { TOPICS } from '@lambda-iot/kafka';
import { LOG_LEVELS, type LogLevel } from '@lambda-iot/runtime';

export interface GatewayConfig {
  kafka: KafkaConnectionConfig;
  redis: RedisConnectionConfig;
  host: string;
  port: number;
  bodyLimit: number;
  maxInFlightBytes: number;
  sendTimeoutMs: number;
  registry: { kind: 'redis' } | { kind: 'file'; path: string };
  mqtt: {
    enabled: boolean;
    url: string;
    /** The gateway's broker login (subscribe to device readings only); the local stack's account by default. */
    username: string;
    password: string;
    connections: number;
    clientIdPrefix: string;
    shareGroup: string;
    cleanSession: boolean;
  };
  readingsTopic: string;
  deadLetterTopic: string;
  readingsPartitions: number;
  logLevel: LogLevel;
}

export function loadConfig(source: EnvSource = process.env): Readonly<GatewayConfig> {
  const env = new EnvReader(source);
  const registryKind = env.oneOf('GATEWAY_DEVICE_REGISTRY', ['redis', 'file'] as const, 'redis');
  const devicePath = env.optionalString('GATEWAY_DEVICE_FILE');
  if (registryKind === 'file' && devicePath === undefined) {
    env.addProblem('GATEWAY_DEVICE_FILE: required when GATEWAY_DEVICE_REGISTRY=file');
  }
  const config: GatewayConfig = {
    kafka: kafkaConnectionFromEnv(env, 'gateway'),
    redis: redisConnectionFromEnv(env),
    host: env.string('GATEWAY_HOST', '127.0.0.1'),
    port: env.int('GATEWAY_PORT', 8080, { min: 0, max: 65_535 }),
    bodyLimit: env.int('GATEWAY_BODY_LIMIT', 1_048_576, { min: 1_024, max: 64 * 1_048_576 }),
    maxInFlightBytes: env.int('GATEWAY_MAX_IN_FLIGHT_BYTES', 64 * 1_048_576, { min: 65_536 }),
    sendTimeoutMs: env.duration('GATEWAY_SEND_TIMEOUT', '10s', { min: 100 }),
    registry: registryKind === 'file' ? { kind: 'file', path: devicePath ?? '' } : { kind: 'redis' },
    mqtt: {
      enabled: env.bool('MQTT_ENABLED', true),
      url: env.string('MQTT_URL', 'mqtt://127.0.0.1:1884'),
      username: env.string('MQTT_USERNAME', 'gateway'),
      password: env.string('MQTT_PASSWORD', 'lambda-iot-gateway'),
      connections: env.int('MQTT_CONNECTIONS', 2, { min: 1, max: 64 }),
      clientIdPrefix: env.string('MQTT_CLIENT_ID', `gateway-${hostname()}`),
      shareGroup: env.string('MQTT_SHARE_GROUP', 'gateway'),
      cleanSession: env.bool('MQTT_CLEAN_SESSION', false),
    },
    readingsTopic: env.string('READINGS_TOPIC', TOPICS.readings),
    deadLetterTopic: env.string('DLQ_TOPIC', TOPICS.deadLetter),
    readingsPartitions: env.int('READINGS_PARTITIONS', 6, { min: 1 }),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
  };
  if (!/^mqtts?:\/\/|^wss?:\/\//.test(config.mqtt.url))
    env.addProblem(`MQTT_URL: expected mqtt://, mqtts://, ws:// or wss://, got ${config.mqtt.url}`);
  return env.done(config);
}
