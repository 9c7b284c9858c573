// Connection settings for Kafka, Redis and Cassandra, parsed from the environment the same way by every app.
import type { EnvReader } from './env-reader';

export interface TlsConfig {
  enabled: boolean;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  rejectUnauthorized: boolean;
}

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface SaslConfig {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

export interface KafkaConnectionConfig {
  brokers: string[];
  clientId: string;
  tls: TlsConfig;
  sasl?: SaslConfig;
}

export interface RedisConnectionConfig {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls: TlsConfig;
  keyPrefix: string;
}

export interface CassandraConnectionConfig {
  contactPoints: string[];
  localDataCenter: string;
  keyspace: string;
  username?: string;
  password?: string;
  tls: TlsConfig;
  replicationFactor: number;
}

// host:port with a DNS name, IPv4 address or bracketed IPv6 address.
const HOST_PORT_PATTERN = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const HOST_PATTERN = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$/;
// The keyspace is interpolated into CQL, so only unquoted identifiers (max 48 characters) are allowed.
const KEYSPACE_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,47}$/;

/**
 * `<prefix>_TLS` (default: on when any file is given), `<prefix>_TLS_CA_FILE`, `<prefix>_TLS_CERT_FILE`,
 * `<prefix>_TLS_KEY_FILE` (the client certificate and key come together) and
 * `<prefix>_TLS_REJECT_UNAUTHORIZED` (default true). Only file paths are read here: loading them is I/O
 * and belongs to the client factories.
 */
export function tlsFromEnv(env: EnvReader, prefix: string): TlsConfig {
  const caFile = env.optionalString(`${prefix}_TLS_CA_FILE`);
  const certFile = env.optionalString(`${prefix}_TLS_CERT_FILE`);
  const keyFile = env.optionalString(`${prefix}_TLS_KEY_FILE`);
  const anyFile = caFile !== undefined || certFile !== undefined || keyFile !== undefined;
  const tls: TlsConfig = {
    enabled: env.bool(`${prefix}_TLS`, anyFile),
    rejectUnauthorized: env.bool(`${prefix}_TLS_REJECT_UNAUTHORIZED`, true),
  };
  if ((certFile === undefined) !== (keyFile === undefined)) {
    env.addProblem(
      `${env.key(`${prefix}_TLS_CERT_FILE`)} and ${env.key(`${prefix}_TLS_KEY_FILE`)} must be set together`,
    );
  }
  if (caFile !== undefined) tls.caFile = caFile;
  if (certFile !== undefined) tls.certFile = certFile;
  if (keyFile !== undefined) tls.keyFile = keyFile;
  return tls;
}

/**
 * KAFKA_BROKERS (comma-separated host:port, default 127.0.0.1:9092), KAFKA_CLIENT_ID (default from the
 * caller, usually the app name), KAFKA_TLS*, and KAFKA_SASL_MECHANISM / _USERNAME / _PASSWORD, which are
 * all set or all unset: half a SASL setup would otherwise fail later as an opaque broker disconnect.
 */
export function kafkaConnectionFromEnv(env: EnvReader, defaultClientId: string): KafkaConnectionConfig {
  const brokers = env.list('KAFKA_BROKERS', '127.0.0.1:9092');
  checkEndpoints(env, 'KAFKA_BROKERS', brokers, true);
  const config: KafkaConnectionConfig = {
    brokers,
    clientId: env.string('KAFKA_CLIENT_ID', defaultClientId),
    tls: tlsFromEnv(env, 'KAFKA'),
  };
  const sasl = saslFromEnv(env);
  if (sasl !== undefined) config.sasl = sasl;
  return config;
}

/**
 * REDIS_HOST (127.0.0.1), REDIS_PORT (6379), REDIS_USERNAME and REDIS_PASSWORD (an ACL username needs a
 * password; a password alone is the legacy AUTH), REDIS_DB (0), REDIS_TLS*, REDIS_KEY_PREFIX ('liot:').
 */
export function redisConnectionFromEnv(env: EnvReader): RedisConnectionConfig {
  const host = env.string('REDIS_HOST', '127.0.0.1');
  if (!HOST_PATTERN.test(host))
    env.addProblem(`${env.key('REDIS_HOST')}: not a host name or address: ${host}`);
  const config: RedisConnectionConfig = {
    host,
    port: env.int('REDIS_PORT', 6379, { min: 1, max: 65_535 }),
    db: env.int('REDIS_DB', 0, { min: 0 }),
    tls: tlsFromEnv(env, 'REDIS'),
    keyPrefix: env.string('REDIS_KEY_PREFIX', 'liot:'),
  };
  const username = env.optionalString('REDIS_USERNAME');
  const password = env.optionalString('REDIS_PASSWORD');
  if (username !== undefined && password === undefined) {
    env.addProblem(`${env.key('REDIS_USERNAME')} is set but ${env.key('REDIS_PASSWORD')} is not`);
  }
  if (username !== undefined) config.username = username;
  if (password !== undefined) config.password = password;
  return config;
}

/**
 * CASSANDRA_CONTACT_POINTS (host or host:port list, 127.0.0.1:9042), CASSANDRA_LOCAL_DC (datacenter1),
 * CASSANDRA_KEYSPACE (lambda_iot), CASSANDRA_USERNAME and CASSANDRA_PASSWORD (together),
 * CASSANDRA_TLS*, CASSANDRA_REPLICATION_FACTOR (1, used when the keyspace is created).
 */
export function cassandraConnectionFromEnv(env: EnvReader): CassandraConnectionConfig {
  const contactPoints = env.list('CASSANDRA_CONTACT_POINTS', '127.0.0.1:9042');
  checkEndpoints(env, 'CASSANDRA_CONTACT_POINTS', contactPoints, false);
  const keyspace = env.string('CASSANDRA_KEYSPACE', 'lambda_iot');
  if (!KEYSPACE_PATTERN.test(keyspace)) {
    env.addProblem(
      `${env.key('CASSANDRA_KEYSPACE')}: must be a letter then up to 47 letters, digits or underscores, got ${JSON.stringify(keyspace)}`,
    );
  }
  const config: CassandraConnectionConfig = {
    contactPoints,
    localDataCenter: env.string('CASSANDRA_LOCAL_DC', 'datacenter1'),
    keyspace,
    tls: tlsFromEnv(env, 'CASSANDRA'),
    replicationFactor: env.int('CASSANDRA_REPLICATION_FACTOR', 1, { min: 1 }),
  };
  const username = env.optionalString('CASSANDRA_USERNAME');
  const password = env.optionalString('CASSANDRA_PASSWORD');
  if ((username === undefined) !== (password === undefined)) {
    env.addProblem(
      `${env.key('CASSANDRA_USERNAME')} and ${env.key('CASSANDRA_PASSWORD')} must be set together`,
    );
  }
  if (username !== undefined) config.username = username;
  if (password !== undefined) config.password = password;
  return config;
}

function saslFromEnv(env: EnvReader): SaslConfig | undefined {
  const names = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;
  const rawMechanism = env.optionalString(names[0])?.trim().toLowerCase();
  const username = env.optionalString(names[1]);
  const password = env.optionalString(names[2]);
  const given = [rawMechanism, username, password];
  if (given.every((v) => v === undefined)) return undefined;
  const missing = names.filter((_, i) => given[i] === undefined).map((n) => env.key(n));
  if (missing.length > 0) {
    env.addProblem(
      `${names.map((n) => env.key(n)).join(', ')} must be set together; missing ${missing.join(', ')}`,
    );
    return undefined;
  }
  if (!isSaslMechanism(rawMechanism)) {
    env.addProblem(
      `${env.key(names[0])}: expected one of ${SASL_MECHANISMS.join(', ')}, got ${JSON.stringify(rawMechanism)}`,
    );
    return undefined;
  }
  return { mechanism: rawMechanism, username: username as string, password: password as string };
}

function isSaslMechanism(s: string | undefined): s is SaslMechanism {
  return (SASL_MECHANISMS as readonly (string | undefined)[]).includes(s);
}

function checkEndpoints(
  env: EnvReader,
  name: string,
  endpoints: readonly string[],
  portRequired: boolean,
): void {
  if (endpoints.length === 0) {
    env.addProblem(`${env.key(name)}: must list at least one ${portRequired ? 'host:port' : 'host'}`);
    return;
  }
  for (const endpoint of endpoints) {
    const withPort = HOST_PORT_PATTERN.exec(endpoint);
    const port = withPort === null ? undefined : Number(withPort[1]);
    const ok =
      withPort === null
        ? !portRequired && HOST_PATTERN.test(endpoint)
        : port !== undefined && port >= 1 && port <= 65_535;
    if (!ok) {
      env.addProblem(
        `${env.key(name)}: ${JSON.stringify(endpoint)} is not a ${portRequired ? 'host:port' : 'host or host:port'}`,
      );
    }
  }
}
