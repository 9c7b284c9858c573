import { ConfigError } from '../errors';
import {
  cassandraConnectionFromEnv,
  kafkaConnectionFromEnv,
  redisConnectionFromEnv,
  tlsFromEnv,
} from './connection-config';
import { EnvReader, type EnvSource } from './env-reader';

function parse<T>(source: EnvSource, read: (env: EnvReader) => T): T {
  const env = new EnvReader(source);
  return env.done(read(env)) as T;
}

function problems(source: EnvSource, read: (env: EnvReader) => unknown): readonly string[] {
  const env = new EnvReader(source);
  read(env);
  return env.problems;
}

const plainTls = { enabled: false, rejectUnauthorized: true };

describe('tlsFromEnv', () => {
  it('is off and verifying by default', () => {
    expect(parse({}, (env) => tlsFromEnv(env, 'KAFKA'))).toEqual(plainTls);
  });

  it('reads every file and switch', () => {
    expect(
      parse(
        {
          KAFKA_TLS: 'true',
          KAFKA_TLS_CA_FILE: '/etc/ca.pem',
          KAFKA_TLS_CERT_FILE: '/etc/client.pem',
          KAFKA_TLS_KEY_FILE: '/etc/client.key',
          KAFKA_TLS_REJECT_UNAUTHORIZED: 'false',
        },
        (env) => tlsFromEnv(env, 'KAFKA'),
      ),
    ).toEqual({
      enabled: true,
      caFile: '/etc/ca.pem',
      certFile: '/etc/client.pem',
      keyFile: '/etc/client.key',
      rejectUnauthorized: false,
    });
  });

  it('turns on when a file is given, unless switched off explicitly', () => {
    expect(parse({ REDIS_TLS_CA_FILE: '/ca' }, (env) => tlsFromEnv(env, 'REDIS')).enabled).toBe(true);
    expect(
      parse({ REDIS_TLS_CA_FILE: '/ca', REDIS_TLS: 'no' }, (env) => tlsFromEnv(env, 'REDIS')).enabled,
    ).toBe(false);
  });

  it('requires the client certificate and key together', () => {
    expect(problems({ KAFKA_TLS_CERT_FILE: '/c' }, (env) => tlsFromEnv(env, 'KAFKA'))).toEqual([
      'KAFKA_TLS_CERT_FILE and KAFKA_TLS_KEY_FILE must be set together',
    ]);
  });
});

describe('kafkaConnectionFromEnv', () => {
  it('defaults to a local plaintext broker and the caller-given client id', () => {
    expect(parse({}, (env) => kafkaConnectionFromEnv(env, 'lambda-iot-speed'))).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'lambda-iot-speed',
      tls: plainTls,
    });
  });

  it('reads a full configuration with TLS and SASL', () => {
    expect(
      parse(
        {
          KAFKA_BROKERS: 'k1.example.com:9093, k2.example.com:9093,[::1]:9093',
          KAFKA_CLIENT_ID: 'gateway-7',
          KAFKA_TLS: '1',
          KAFKA_TLS_CA_FILE: '/ca.pem',
          KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
          KAFKA_SASL_USERNAME: 'iot',
          KAFKA_SASL_PASSWORD: 's3cret',
        },
        (env) => kafkaConnectionFromEnv(env, 'unused'),
      ),
    ).toEqual({
      brokers: ['k1.example.com:9093', 'k2.example.com:9093', '[::1]:9093'],
      clientId: 'gateway-7',
      tls: { enabled: true, caFile: '/ca.pem', rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'iot', password: 's3cret' },
    });
  });

  it.each([
    [{ KAFKA_SASL_USERNAME: 'iot' }, 'KAFKA_SASL_MECHANISM, KAFKA_SASL_PASSWORD'],
    [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'iot' }, 'KAFKA_SASL_PASSWORD'],
    [{ KAFKA_SASL_PASSWORD: 'p' }, 'KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME'],
  ])('rejects half-configured SASL %p, naming what is missing', (source, missing) => {
    expect(problems(source, (env) => kafkaConnectionFromEnv(env, 'x'))).toEqual([
      `KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD must be set together; missing ${missing}`,
    ]);
  });

  it('rejects an unknown SASL mechanism', () => {
    const source = { KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' };
    expect(problems(source, (env) => kafkaConnectionFromEnv(env, 'x'))).toEqual([
      'KAFKA_SASL_MECHANISM: expected one of plain, scram-sha-256, scram-sha-512, got "gssapi"',
    ]);
  });

  it('rejects brokers that are not host:port, and an empty list', () => {
    expect(
      problems({ KAFKA_BROKERS: 'k1:9092,k2,k3:0,k4:99999' }, (env) => kafkaConnectionFromEnv(env, 'x')),
    ).toEqual([
      'KAFKA_BROKERS: "k2" is not a host:port',
      'KAFKA_BROKERS: "k3:0" is not a host:port',
      'KAFKA_BROKERS: "k4:99999" is not a host:port',
    ]);
    expect(problems({ KAFKA_BROKERS: ' , ' }, (env) => kafkaConnectionFromEnv(env, 'x'))).toEqual([
      'KAFKA_BROKERS: must list at least one host:port',
    ]);
  });
});

describe('redisConnectionFromEnv', () => {
  it('defaults to a local server, db 0 and the liot: key prefix', () => {
    expect(parse({}, redisConnectionFromEnv)).toEqual({
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      tls: plainTls,
      keyPrefix: 'liot:',
    });
  });

  it('reads a full configuration', () => {
    expect(
      parse(
        {
          REDIS_HOST: 'redis.internal',
          REDIS_PORT: '6380',
          REDIS_USERNAME: 'speed',
          REDIS_PASSWORD: 'pw',
          REDIS_DB: '3',
          REDIS_TLS: 'yes',
          REDIS_KEY_PREFIX: 'staging:',
        },
        redisConnectionFromEnv,
      ),
    ).toEqual({
      host: 'redis.internal',
      port: 6380,
      username: 'speed',
      password: 'pw',
      db: 3,
      tls: { enabled: true, rejectUnauthorized: true },
      keyPrefix: 'staging:',
    });
  });

  it('accepts a password alone (legacy AUTH) but not a username alone', () => {
    expect(parse({ REDIS_PASSWORD: 'pw' }, redisConnectionFromEnv).password).toBe('pw');
    expect(problems({ REDIS_USERNAME: 'u' }, redisConnectionFromEnv)).toEqual([
      'REDIS_USERNAME is set but REDIS_PASSWORD is not',
    ]);
  });

  it('rejects a bad port, db and host together', () => {
    expect(problems({ REDIS_PORT: '0', REDIS_DB: '-1', REDIS_HOST: 'a b' }, redisConnectionFromEnv)).toEqual([
      'REDIS_HOST: not a host name or address: a b',
      'REDIS_PORT: must be between 1 and 65535, got 0',
      'REDIS_DB: must be at least 0, got -1',
    ]);
  });
});

describe('cassandraConnectionFromEnv', () => {
  it('defaults to a local single-node cluster', () => {
    expect(parse({}, cassandraConnectionFromEnv)).toEqual({
      contactPoints: ['127.0.0.1:9042'],
      localDataCenter: 'datacenter1',
      keyspace: 'lambda_iot',
      tls: plainTls,
      replicationFactor: 1,
    });
  });

  it('reads a full configuration, with contact points with or without a port', () => {
    expect(
      parse(
        {
          CASSANDRA_CONTACT_POINTS: 'c1.internal,c2.internal:9142',
          CASSANDRA_LOCAL_DC: 'eu-west',
          CASSANDRA_KEYSPACE: 'iot_prod',
          CASSANDRA_USERNAME: 'speed',
          CASSANDRA_PASSWORD: 'pw',
          CASSANDRA_TLS_CA_FILE: '/ca.pem',
          CASSANDRA_REPLICATION_FACTOR: '3',
        },
        cassandraConnectionFromEnv,
      ),
    ).toEqual({
      contactPoints: ['c1.internal', 'c2.internal:9142'],
      localDataCenter: 'eu-west',
      keyspace: 'iot_prod',
      username: 'speed',
      password: 'pw',
      tls: { enabled: true, caFile: '/ca.pem', rejectUnauthorized: true },
      replicationFactor: 3,
    });
  });

  it('requires username and password together', () => {
    expect(problems({ CASSANDRA_PASSWORD: 'pw' }, cassandraConnectionFromEnv)).toEqual([
      'CASSANDRA_USERNAME and CASSANDRA_PASSWORD must be set together',
    ]);
  });

  it.each(['1iot', 'iot-prod', 'iot;DROP', 'k'.repeat(49)])(
    'rejects keyspace %p, which would need quoting in CQL',
    (ks) => {
      expect(problems({ CASSANDRA_KEYSPACE: ks }, cassandraConnectionFromEnv)).toHaveLength(1);
    },
  );

  it('rejects a replication factor below 1', () => {
    expect(problems({ CASSANDRA_REPLICATION_FACTOR: '0' }, cassandraConnectionFromEnv)).toEqual([
      'CASSANDRA_REPLICATION_FACTOR: must be at least 1, got 0',
    ]);
  });
});

describe('connection configs read together', () => {
  it('report the problems of all three in one ConfigError', () => {
    const env = new EnvReader({ KAFKA_SASL_USERNAME: 'u', REDIS_PORT: 'x', CASSANDRA_KEYSPACE: '-' });
    const config = {
      kafka: kafkaConnectionFromEnv(env, 'app'),
      redis: redisConnectionFromEnv(env),
      cassandra: cassandraConnectionFromEnv(env),
    };
    expect(() => env.done(config)).toThrow(ConfigError);
    expect(env.problems).toHaveLength(3);
  });
});
