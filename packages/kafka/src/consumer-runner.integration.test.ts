import type { Kafka, KafkaMessage } from 'kafkajs';
import { eventually, testKafkaConfig, uniqueName } from '@lambda-iot/testkit';
import { createKafka } from './kafka-client';
import { ensureTopics } from './topics';
import { ACKS_ALL, createProducer } from './producer';
import { ConsumerRunner } from './consumer-runner';
import type { Checkpoint, PartitionHandler, PartitionHandlerFactory } from './partition-handler';

/** Keeps every value it sees and checkpoints "next offset" with the count so far as metadata. */
class RecordingFactory implements PartitionHandlerFactory {
  readonly seen: string[] = [];
  readonly resumedFrom: Array<Checkpoint | undefined> = [];
  async open(
    _topic: string,
    _partition: number,
    committed: Checkpoint | undefined,
  ): Promise<PartitionHandler> {
    this.resumedFrom.push(committed);
    let next: string | undefined;
    let count = committed?.metadata ? Number(committed.metadata) : 0;
    return {
      handle: async (records: readonly KafkaMessage[]) => {
        for (const r of records) this.seen.push(r.value?.toString() ?? '');
        count += records.length;
        next = String(Number(records[records.length - 1]!.offset) + 1);
      },
      checkpoint: async () => (next === undefined ? undefined : { offset: next, metadata: String(count) }),
      close: async () => undefined,
    };
  }
}

describe('ConsumerRunner', () => {
  let kafka: Kafka;
  let topic: string;
  beforeAll(async () => {
    kafka = createKafka(testKafkaConfig('runner-integration'));
    topic = uniqueName('t_runner');
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();
  });

  async function produce(values: string[]): Promise<void> {
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic, acks: ACKS_ALL, messages: values.map((value) => ({ key: 'k', value })) });
    await producer.disconnect();
  }

  it('commits what the handler checkpoints, with its metadata, and a new runner resumes there', async () => {
    const groupId = uniqueName('g_runner');
    await produce(['a', 'b', 'c']);
    const first = new RecordingFactory();
    const runner1 = new ConsumerRunner({ kafka, groupId, topic, factory: first, commitIntervalMs: 0 });
    await runner1.start();
    await eventually(() => expect(first.seen).toEqual(['a', 'b', 'c']));
    await runner1.close();
    await runner1.close(); // idempotent
    expect(first.resumedFrom).toEqual([undefined]);

    await produce(['d']);
    const second = new RecordingFactory();
    const runner2 = new ConsumerRunner({ kafka, groupId, topic, factory: second, commitIntervalMs: 0 });
    await runner2.start();
    await eventually(() => expect(second.seen).toEqual(['d']));
    await runner2.close();
    expect(second.resumedFrom).toEqual([{ offset: '3', metadata: '3' }]);
  });
});
