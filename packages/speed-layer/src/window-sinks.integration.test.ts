import { createCassandra, createRedis, ensureKeyspace } from '@lambda-iot/connections';
import { testCassandraConfig, testRedisConfig, uniqueName, deleteKeys } from '@lambda-iot/testkit';
import { CassandraSpeedView } from './cassandra-speed-view';
import { CassandraWindowSink, ensureSpeedTable } from './cassandra-window-sink';
import { RedisSpeedView } from './redis-speed-view';
import { RedisWindowSink } from './redis-window-sink';
import { describeWindowSinkConformance } from './test-support/window-sink-conformance';

describeWindowSinkConformance('RedisWindowSink', async () => {
  const keyPrefix = `${uniqueName('t_speed_sink')}:`;
  const redis = createRedis(testRedisConfig(keyPrefix));
  return {
    sink: new RedisWindowSink({ redis, keyPrefix, ttlMs: 600_000 }),
    reader: new RedisSpeedView({ redis, keyPrefix }),
    cleanup: async () => {
      await deleteKeys(redis, keyPrefix);
      redis.disconnect();
    },
  };
});

describeWindowSinkConformance('CassandraWindowSink', async () => {
  const config = testCassandraConfig(uniqueName('t_speed_sink'));
  await ensureKeyspace(config);
  const client = createCassandra(config);
  await ensureSpeedTable(client);
  return {
    sink: new CassandraWindowSink({ client }),
    reader: new CassandraSpeedView({ client }),
    cleanup: async () => {
      await client.execute(`DROP KEYSPACE IF EXISTS ${config.keyspace}`).catch(() => undefined);
      await client.shutdown();
    },
  };
});
