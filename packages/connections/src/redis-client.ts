// Builds ioredis clients from typed configuration, with ACL user, password and TLS when configured.
import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConnectionConfig } from '@lambda-iot/core';
import { tlsOptions } from './tls-options';

export interface RedisClientOptions {
  /** Name shown in CLIENT LIST, so operators can tell our connections apart. */
  connectionName?: string;
  /**
   * ioredis' per-command retry budget. BullMQ workers need null (block forever on BRPOPLPUSH); request paths
   * want a small number so a dead Redis fails fast and the caller can fall back.
   */
  maxRetriesPerRequest?: number | null;
  /** Connect on first command instead of at construction; tests and fallbacks want explicit connects. */
  lazyConnect?: boolean;
  /** Give up a single connection attempt after this long. */
  connectTimeoutMs?: number;
  /** Fail commands at once while disconnected instead of queueing them (the reader falls back to Cassandra). */
  enableOfflineQueue?: boolean;
}

export function redisOptions(config: RedisConnectionConfig, options: RedisClientOptions = {}): RedisOptions {
  const redisOpts: RedisOptions = {
    host: config.host,
    port: config.port,
    db: config.db,
    lazyConnect: options.lazyConnect ?? false,
    maxRetriesPerRequest: options.maxRetriesPerRequest === undefined ? 3 : options.maxRetriesPerRequest,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    enableOfflineQueue: options.enableOfflineQueue ?? true,
    // Reconnect forever with a capped backoff: the process outlives Redis restarts.
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), 2_000),
  };
  if (options.connectionName) redisOpts.connectionName = options.connectionName;
  if (config.username) redisOpts.username = config.username;
  if (config.password) redisOpts.password = config.password;
  const tls = tlsOptions(config.tls);
  if (tls) redisOpts.tls = tls;
  return redisOpts;
}

export function createRedis(config: RedisConnectionConfig, options: RedisClientOptions = {}): Redis {
  return new Redis(redisOptions(config, options));
}
