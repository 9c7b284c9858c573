import { connectAsync } from 'mqtt';
import { testCassandraConfig, testMqttConfig, testRedisConfig, uniqueName } from '@lambda-iot/testkit';
import { createRedis } from './redis-client';
import { createCassandra, ensureKeyspace } from './cassandra-client';

describe('Redis on the local stack', () => {
  it('round-trips a value under a test-unique prefix', async () => {
    const config = testRedisConfig(`${uniqueName('t_redis')}:`);
    const redis = createRedis(config, { connectionName: 'connections-test' });
    try {
      await redis.set(`${config.keyPrefix}k`, 'v', 'EX', 60);
      expect(await redis.get(`${config.keyPrefix}k`)).toBe('v');
      expect(await redis.ping()).toBe('PONG');
    } finally {
      await redis.del(`${config.keyPrefix}k`);
      redis.disconnect();
    }
  });
});

describe('Cassandra on the local stack', () => {
  it('creates a keyspace, writes and reads back a row', async () => {
    const config = testCassandraConfig(uniqueName('t_cass'));
    await ensureKeyspace(config);
    await ensureKeyspace(config); // idempotent
    const client = createCassandra(config);
    try {
      await client.execute('CREATE TABLE IF NOT EXISTS kv (k text PRIMARY KEY, v double)');
      await client.execute('INSERT INTO kv (k, v) VALUES (?, ?)', ['a', 1.5]);
      const row = (await client.execute('SELECT v FROM kv WHERE k = ?', ['a'])).first();
      expect(row?.get('v')).toBe(1.5);
    } finally {
      await client.execute(`DROP KEYSPACE IF EXISTS ${config.keyspace}`).catch(() => undefined);
      await client.shutdown();
    }
  });
});

describe('MQTT on the local stack', () => {
  it('delivers a QoS 1 publish to a subscriber', async () => {
    const topic = `test/${uniqueName('t_mqtt')}`;
    // The stack's broker refuses anonymous clients; its admin account may use any topic.
    const { url, admin } = testMqttConfig();
    const sub = await connectAsync(url, { clientId: uniqueName('sub'), ...admin });
    const pub = await connectAsync(url, { clientId: uniqueName('pub'), ...admin });
    try {
      await sub.subscribeAsync(topic, { qos: 1 });
      const got = new Promise<string>((resolve) =>
        sub.on('message', (_t, payload) => resolve(payload.toString())),
      );
      await pub.publishAsync(topic, 'hello', { qos: 1 });
      expect(await got).toBe('hello');
    } finally {
      await sub.endAsync();
      await pub.endAsync();
    }
  });
});
