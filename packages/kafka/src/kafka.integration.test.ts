import type { Kafka } from 'kafkajs';
import { testKafkaConfig, uniqueName } from '@lambda-iot/testkit';
import { createKafka } from './kafka-client';
import { ensureTopics } from './topics';
import { ACKS_ALL, createProducer } from './producer';
import { deadLetterMessage, headerString, DLQ_HEADERS } from './dead-letter';

describe('Kafka on the local stack', () => {
  let kafka: Kafka;
  beforeAll(() => {
    kafka = createKafka(testKafkaConfig('kafka-integration'));
  });

  it('creates topics idempotently and reports partitions it would not add', async () => {
    const topic = uniqueName('t_topics');
    const admin = kafka.admin();
    await admin.connect();
    try {
      const first = await ensureTopics(admin, [{ topic, numPartitions: 3 }]);
      expect(first.created).toEqual([topic]);
      const second = await ensureTopics(admin, [{ topic, numPartitions: 6 }]);
      expect(second.created).toEqual([]);
      expect(second.existing).toEqual([topic]);
      expect(second.underPartitioned).toEqual([{ topic, have: 3, want: 6 }]);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('produces with acks=all and consumes the same records back, keyed and in order per partition', async () => {
    const topic = uniqueName('t_roundtrip');
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 2 }]);
    const producer = createProducer(kafka);
    await producer.connect();
    const sent = Array.from({ length: 50 }, (_, i) => ({ key: `dev-${i % 5}`, value: `m-${i}` }));
    await producer.send({ topic, acks: ACKS_ALL, messages: sent });
    await producer.send({
      topic,
      acks: ACKS_ALL,
      messages: [
        deadLetterMessage({
          original: Buffer.from('{oops'),
          reason: 'malformed_json',
          source: 'http',
          at: 0,
        }),
      ],
    });

    const consumer = kafka.consumer({ groupId: uniqueName('g_roundtrip') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: Array<{ key: string; value: string; partition: number; reason?: string }> = [];
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          const reason = headerString(message.headers, DLQ_HEADERS.reason);
          received.push({
            key: message.key?.toString() ?? '',
            value: message.value?.toString() ?? '',
            partition,
            ...(reason ? { reason } : {}),
          });
          if (received.length === sent.length + 1) resolve();
        },
      });
    });
    try {
      await done;
      expect(
        received
          .filter((r) => r.reason === undefined)
          .map((r) => r.value)
          .sort(),
      ).toEqual(sent.map((s) => s.value).sort());
      expect(received.find((r) => r.reason)).toMatchObject({ value: '{oops', reason: 'malformed_json' });
      // Same key, same partition, original order.
      for (const key of ['dev-0', 'dev-1']) {
        const mine = received.filter((r) => r.key === key);
        expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
        expect(mine.map((r) => r.value)).toEqual(sent.filter((s) => s.key === key).map((s) => s.value));
      }
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
