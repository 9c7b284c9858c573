// Builds cassandra-driver clients from typed configuration and creates the keyspace the speed view lives in.
import { Client, auth, types, type ClientOptions } from 'cassandra-driver';
import type { CassandraConnectionConfig } from '@lambda-iot/core';
import { tlsOptions } from './tls-options';

export interface CassandraClientOptions {
  /** Connect without a keyspace (to create it); by default the client is bound to `config.keyspace`. */
  withoutKeyspace?: boolean;
  /** Per-request timeout; Cassandra down should fail a write quickly so the caller's backoff takes over. */
  readTimeoutMs?: number;
}

export function cassandraOptions(
  config: CassandraConnectionConfig,
  options: CassandraClientOptions = {},
): ClientOptions {
  const clientOpts: ClientOptions = {
    contactPoints: [...config.contactPoints],
    localDataCenter: config.localDataCenter,
    // cassandra-driver 4.x speaks v4 with Cassandra 5; letting it negotiate logs a noisy downgrade.
    protocolOptions: { maxVersion: types.protocolVersion.v4 },
    socketOptions: { readTimeout: options.readTimeoutMs ?? 12_000, connectTimeout: 5_000 },
    queryOptions: { prepare: true, consistency: types.consistencies.localQuorum },
  };
  if (!options.withoutKeyspace) clientOpts.keyspace = config.keyspace;
  if (config.username !== undefined && config.password !== undefined) {
    clientOpts.authProvider = new auth.PlainTextAuthProvider(config.username, config.password);
  }
  const tls = tlsOptions(config.tls);
  if (tls) clientOpts.sslOptions = tls;
  return clientOpts;
}

export function createCassandra(
  config: CassandraConnectionConfig,
  options: CassandraClientOptions = {},
): Client {
  return new Client(cassandraOptions(config, options));
}

/** Keyspace names are interpolated into CQL, so only plain identifiers are allowed. */
export function assertKeyspaceName(name: string): void {
  if (!/^[a-z][a-z0-9_]{0,47}$/.test(name)) throw new Error(`invalid keyspace name: ${JSON.stringify(name)}`);
}

/** Creates the keyspace if missing (SimpleStrategy with the configured replication factor). */
export async function ensureKeyspace(config: CassandraConnectionConfig): Promise<void> {
  assertKeyspaceName(config.keyspace);
  const client = createCassandra(config, { withoutKeyspace: true });
  try {
    await client.execute(
      `CREATE KEYSPACE IF NOT EXISTS ${config.keyspace} WITH replication = ` +
        `{'class': 'SimpleStrategy', 'replication_factor': ${config.replicationFactor}}`,
    );
  } finally {
    await client.shutdown();
  }
}
