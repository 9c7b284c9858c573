// Reads every record of some topics from the beginning into memory, so integration tests can wait for effects.
import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import { uniqueName } from '@lambda-iot/testkit';

export interface TappedRecord {
  topic: string;
  partition: number;
  key: string | undefined;
  value: Buffer;
  headers: IHeaders;
}

export class TopicTap {
  readonly records: TappedRecord[] = [];
  private readonly consumer: Consumer;

  private constructor(kafka: Kafka) {
    this.consumer = kafka.consumer({
      groupId: uniqueName('g_tap'),
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
    });
  }

  static async open(kafka: Kafka, topics: string[]): Promise<TopicTap> {
    const tap = new TopicTap(kafka);
    await tap.consumer.connect();
    await tap.consumer.subscribe({ topics, fromBeginning: true });
    await tap.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        tap.records.push({
          topic,
          partition,
          key: message.key?.toString(),
          value: message.value ?? Buffer.alloc(0),
          headers: message.headers ?? {},
        });
      },
    });
    return tap;
  }

  of(topic: string): TappedRecord[] {
    return this.records.filter((r) => r.topic === topic);
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}
