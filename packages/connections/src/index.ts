// Public surface of @lambda-iot/connections.
export { tlsOptions } from './tls-options';
export { createRedis, redisOptions } from './redis-client';
export type { RedisClientOptions } from './redis-client';
export { createCassandra, cassandraOptions, ensureKeyspace, assertKeyspaceName } from './cassandra-client';
export type { CassandraClientOptions } from './cassandra-client';
