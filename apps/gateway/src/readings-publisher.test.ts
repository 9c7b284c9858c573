import { EventEmitter } from 'node:events';
import type { Producer, ProducerBatch } from 'kafkajs';
import { deferred, type Deferred } from '@lambda-iot/runtime';
import { GatewayBusyError, KafkaUnavailableError } from './gateway-errors';
import { ReadingsPublisher } from './readings-publisher';

/** A stand-in producer whose every sendBatch waits until the test settles it. */
class ScriptedProducer extends EventEmitter {
  readonly events = { DISCONNECT: 'producer.disconnect' };
  readonly batches: ProducerBatch[] = [];
  readonly pending: Deferred<void>[] = [];
  connect = async (): Promise<void> => undefined;
  disconnect = async (): Promise<void> => undefined;
  sendBatch = (batch: ProducerBatch): Promise<unknown> => {
    this.batches.push(batch);
    const d = deferred<void>();
    this.pending.push(d);
    return d.promise;
  };
}

const msg = (value: string) => ({ key: 'dev-1', value: Buffer.from(value) });
const flush = () => new Promise((r) => setImmediate(r));

function setup(maxInFlightBytes = 1_000, sendTimeoutMs = 10_000) {
  const producer = new ScriptedProducer();
  const publisher = new ReadingsPublisher({
    producer: producer as unknown as Producer,
    readingsTopic: 'readings',
    deadLetterTopic: 'readings.dlq',
    maxInFlightBytes,
    sendTimeoutMs,
  });
  return { producer, publisher };
}

describe('ReadingsPublisher', () => {
  it('coalesces writes that arrive while one is in flight into the next single acks=all request', async () => {
    const { producer, publisher } = setup();
    await publisher.start();
    const first = publisher.publish({ readings: [msg('a')], deadLetters: [] });
    await flush();
    const second = publisher.publish({ readings: [msg('b')], deadLetters: [msg('bad')] });
    const third = publisher.publish({ readings: [msg('c')], deadLetters: [] });
    await flush();
    expect(producer.batches).toHaveLength(1);
    producer.pending[0]!.resolve();
    await first;
    await flush();
    expect(producer.batches).toHaveLength(2);
    expect(producer.batches[1]).toMatchObject({
      acks: -1,
      topicMessages: [
        { topic: 'readings', messages: [msg('b'), msg('c')] },
        { topic: 'readings.dlq', messages: [msg('bad')] },
      ],
    });
    producer.pending[1]!.resolve();
    await expect(Promise.all([second, third])).resolves.toBeDefined();
    expect(publisher.inFlightBytes).toBe(0);
  });

  it('refuses new writes beyond the in-flight byte budget, and takes them again once Kafka answered', async () => {
    const { producer, publisher } = setup(10);
    await publisher.start();
    const first = publisher.publish({ readings: [msg('12345678')], deadLetters: [] });
    await expect(publisher.publish({ readings: [msg('123')], deadLetters: [] })).rejects.toBeInstanceOf(
      GatewayBusyError,
    );
    expect(producer.batches.flatMap((b) => b.topicMessages ?? [])).toHaveLength(1);
    producer.pending[0]!.resolve();
    await first;
    await flush();
    const again = publisher.publish({ readings: [msg('123')], deadLetters: [] });
    await flush();
    producer.pending[1]!.resolve();
    await expect(again).resolves.toBeUndefined();
  });

  it('fails a write Kafka rejects, or does not acknowledge in time, with KafkaUnavailableError', async () => {
    const { producer, publisher } = setup(1_000, 50);
    await publisher.start();
    const rejected = publisher.publish({ readings: [msg('a')], deadLetters: [] });
    await flush();
    producer.pending[0]!.reject(new Error('broker down'));
    await expect(rejected).rejects.toBeInstanceOf(KafkaUnavailableError);
    const slow = publisher.publish({ readings: [msg('b')], deadLetters: [] });
    await expect(slow).rejects.toThrow('did not acknowledge within 50 ms');
    // The timed-out bytes stay counted until Kafka really answers.
    expect(publisher.inFlightBytes).toBe(1);
    producer.pending[1]!.resolve();
    await flush();
    expect(publisher.inFlightBytes).toBe(0);
  });
});
