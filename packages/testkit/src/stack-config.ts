// Connection settings for the local stack, as integration tests see it (ports overridable like infra/local's).
import type {
  CassandraConnectionConfig,
  KafkaConnectionConfig,
  RedisConnectionConfig,
  TlsConfig,
} from '@lambda-iot/core';

const NO_TLS: TlsConfig = { enabled: false, rejectUnauthorized: true };
const env = process.env;

export function testKafkaConfig(clientId = 'lambda-iot-test'): KafkaConnectionConfig {
  return { brokers: [env.KAFKA_BROKERS ?? `127.0.0.1:${env.KAFKA_PORT ?? '9092'}`], clientId, tls: NO_TLS };
}

export function testRedisConfig(keyPrefix: string): RedisConnectionConfig {
  return { host: '127.0.0.1', port: Number(env.REDIS_PORT ?? 6379), db: 0, tls: NO_TLS, keyPrefix };
}

export function testCassandraConfig(keyspace: string): CassandraConnectionConfig {
  return {
    contactPoints: [`127.0.0.1:${env.CASSANDRA_PORT ?? '9042'}`],
    localDataCenter: 'datacenter1',
    keyspace,
    tls: NO_TLS,
    replicationFactor: 1,
  };
}

/** The stack's own Mosquitto (infra/local), which refuses anonymous clients. */
export function testMqttUrl(): string {
  return `mqtt://127.0.0.1:${env.MQTT_PORT ?? '1884'}`;
}

export interface TestMqttConfig {
  url: string;
  /** May provision device logins (dynamic-security admin). */
  admin: { username: string; password: string };
  /** May subscribe to `devices/+/readings`, shared or not, and nothing else. */
  gateway: { username: string; password: string };
}

const login = (prefix: string, username: string, password: string) => ({
  username: env[`${prefix}_USERNAME`] || username,
  password: env[`${prefix}_PASSWORD`] || password,
});

/** The stack broker's address and fixed accounts, with infra/local's defaults and variables. */
export function testMqttConfig(): TestMqttConfig {
  return {
    url: testMqttUrl(),
    admin: login('MQTT_ADMIN', 'admin', 'lambda-iot-admin'),
    gateway: login('MQTT_GATEWAY', 'gateway', 'lambda-iot-gateway'),
  };
}
