// Producer factory with the defaults the pipeline relies on: idempotent, acks=all, bounded retries.
import { CompressionTypes, Partitioners, type Kafka, type Producer, type ProducerConfig } from 'kafkajs';

export interface ProducerOptions {
  /** Idempotent delivery (no duplicates from producer retries); kafkajs then keeps one request in flight. */
  idempotent?: boolean;
  transactionTimeoutMs?: number;
  /** Extra kafkajs settings for special cases (benchmarks tune batching here). */
  overrides?: Partial<ProducerConfig>;
}

export function createProducer(kafka: Kafka, options: ProducerOptions = {}): Producer {
  const idempotent = options.idempotent ?? true;
  return kafka.producer({
    idempotent,
    maxInFlightRequests: idempotent ? 1 : 5,
    allowAutoTopicCreation: false,
    // Naming the partitioner explicitly also silences kafkajs' v2-partitioner warning on every producer.
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    ...options.overrides,
  });
}

/** Every send in the pipeline waits for all in-sync replicas: an acknowledged reading is never lost. */
export const ACKS_ALL = -1;

/** gzip is the codec kafkajs ships; other codecs need a registered plug-in before use. */
export const DEFAULT_COMPRESSION = CompressionTypes.GZIP;
