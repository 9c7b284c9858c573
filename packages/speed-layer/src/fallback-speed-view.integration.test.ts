import { createCassandra, createRedis, ensureKeyspace } from '@lambda-iot/connections';
import { aggregateOf, MINUTE_MS } from '@lambda-iot/core';
import { testCassandraConfig, testRedisConfig, uniqueName, deleteKeys } from '@lambda-iot/testkit';
import { CassandraSpeedView } from './cassandra-speed-view';
import { CassandraWindowSink, ensureSpeedTable } from './cassandra-window-sink';
import { FallbackSpeedView } from './fallback-speed-view';
import { RedisSpeedView } from './redis-speed-view';
import { RedisWindowSink } from './redis-window-sink';
import type { WindowUpdate } from './window-sink';

const T0 = Date.UTC(2026, 5, 1, 10, 0, 0);

describe('FallbackSpeedView', () => {
  const keyPrefix = `${uniqueName('t_speed_view')}:`;
  const cassandraConfig = testCassandraConfig(uniqueName('t_speed_view'));
  const redis = createRedis(testRedisConfig(keyPrefix));
  let cassandra: ReturnType<typeof createCassandra>;
  const updates: WindowUpdate[] = [0, 1, 2].map((i) => ({
    deviceId: 'dev-1',
    metric: 'temp',
    windowStart: T0 + i * MINUTE_MS,
    aggregate: aggregateOf([{ ts: T0 + i * MINUTE_MS + 5, value: i * 1.5 }]),
    final: true,
  }));
  const expected = updates.map((u) => ({ windowStart: u.windowStart, aggregate: u.aggregate }));
  const key = { deviceId: 'dev-1', metric: 'temp' };

  beforeAll(async () => {
    await ensureKeyspace(cassandraConfig);
    cassandra = createCassandra(cassandraConfig);
    await ensureSpeedTable(cassandra);
    await new RedisWindowSink({ redis, keyPrefix }).write(updates);
    await new CassandraWindowSink({ client: cassandra }).write(updates);
  });

  afterAll(async () => {
    await deleteKeys(redis, keyPrefix);
    redis.disconnect();
    await cassandra.execute(`DROP KEYSPACE IF EXISTS ${cassandraConfig.keyspace}`).catch(() => undefined);
    await cassandra.shutdown();
  });

  function viewWith(redisView: RedisSpeedView, fallbacks: string[]): FallbackSpeedView {
    return new FallbackSpeedView({
      redis: redisView,
      cassandra: new CassandraSpeedView({ client: cassandra }),
      onFallback: (reason) => fallbacks.push(reason),
    });
  }

  it('answers from Redis while Redis holds the range', async () => {
    const fallbacks: string[] = [];
    const view = viewWith(new RedisSpeedView({ redis, keyPrefix }), fallbacks);
    expect(await view.readSeries(key, '1m', T0, T0 + 10 * MINUTE_MS)).toEqual(expected);
    expect(fallbacks).toEqual([]);
  });

  it('answers from Cassandra when Redis is down', async () => {
    const dead = createRedis(
      { ...testRedisConfig(keyPrefix), port: 1 },
      { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 },
    );
    try {
      const fallbacks: string[] = [];
      const view = viewWith(new RedisSpeedView({ redis: dead, keyPrefix }), fallbacks);
      expect(await view.readSeries(key, '1m', T0, T0 + 10 * MINUTE_MS)).toEqual(expected);
      expect(fallbacks).toEqual(['redis_error']);
    } finally {
      dead.disconnect();
    }
  });

  it('answers from Cassandra after Redis lost its data (flushed)', async () => {
    expect(await deleteKeys(redis, keyPrefix)).toBeGreaterThan(0);
    const fallbacks: string[] = [];
    const view = viewWith(new RedisSpeedView({ redis, keyPrefix }), fallbacks);
    expect(await view.readSeries(key, '1m', T0, T0 + 10 * MINUTE_MS)).toEqual(expected);
    expect(await view.readSeries(key, '1h', T0, T0 + 60 * MINUTE_MS)).toEqual([
      {
        windowStart: T0,
        aggregate: aggregateOf(updates.map((u) => ({ ts: u.aggregate.firstTs, value: u.aggregate.first }))),
      },
    ]);
    expect(fallbacks).toEqual(['redis_missing', 'redis_missing']);
  });
});
