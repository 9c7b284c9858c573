// Per-test resources on the real stack (topic, keyspace, key prefix), their clients, and their cleanup.
import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Client } from 'cassandra-driver';
import { createCassandra, createRedis, ensureKeyspace } from '@lambda-iot/connections';
import { ACKS_ALL, createKafka, createProducer, ensureTopics } from '@lambda-iot/kafka';
import { ensureSpeedTable } from '@lambda-iot/speed-layer';
import { testCassandraConfig, testKafkaConfig, testRedisConfig, uniqueName } from '@lambda-iot/testkit';
import type { CassandraConnectionConfig, RedisConnectionConfig } from '@lambda-iot/core';
import type { ScenarioMessage } from './reading-scenario';

export interface SpeedStack {
  kafka: Kafka;
  topic: string;
  groupId: string;
  redisConfig: RedisConnectionConfig;
  cassandraConfig: CassandraConnectionConfig;
  redis: Redis;
  cassandra: Client;
  produce(messages: readonly ScenarioMessage[]): Promise<void>;
  cleanup(): Promise<void>;
}

export async function openSpeedStack(name: string, partitions: number): Promise<SpeedStack> {
  const topic = uniqueName(`t_${name}`);
  const kafka = createKafka(testKafkaConfig(`speed-test-${name}`));
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [
    { topic, numPartitions: partitions },
    { topic: `${topic}.dlq`, numPartitions: 1 },
  ]);
  const redisConfig = testRedisConfig(`${uniqueName(`t_${name}`)}:`);
  const cassandraConfig = testCassandraConfig(uniqueName(`t_${name}`));
  await ensureKeyspace(cassandraConfig);
  const cassandra = createCassandra(cassandraConfig);
  await ensureSpeedTable(cassandra);
  const redis = createRedis(redisConfig);
  const producer = createProducer(kafka);
  await producer.connect();
  return {
    kafka,
    topic,
    groupId: uniqueName(`g_${name}`),
    redisConfig,
    cassandraConfig,
    redis,
    cassandra,
    async produce(messages) {
      for (let i = 0; i < messages.length; i += 500) {
        const slice = messages.slice(i, i + 500);
        await producer.send({
          topic,
          acks: ACKS_ALL,
          messages: slice.map((m) => ({ ...m.message, partition: m.partition })),
        });
      }
    },
    async cleanup() {
      await producer.disconnect().catch(() => undefined);
      await admin.deleteTopics({ topics: [topic, `${topic}.dlq`] }).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      await cassandra.execute(`DROP KEYSPACE IF EXISTS ${cassandraConfig.keyspace}`).catch(() => undefined);
      await cassandra.shutdown().catch(() => undefined);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisConfig.keyPrefix}*`, 'COUNT', 1_000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
