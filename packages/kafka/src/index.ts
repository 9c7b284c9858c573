// Public surface of @lambda-iot/kafka.
export { KafkaError } from './errors';
export { createKafka, kafkaConfig } from './kafka-client';
export type { KafkaClientOptions, KafkaLogSink } from './kafka-client';
export { TOPICS, ensureTopics, pipelineTopics } from './topics';
export type { TopicSpec, EnsureTopicsResult } from './topics';
export { createProducer, ACKS_ALL, DEFAULT_COMPRESSION } from './producer';
export type { ProducerOptions } from './producer';
export { deadLetterMessage, headerString, DLQ_HEADERS } from './dead-letter';
export type { DeadLetter, DeadLetterSource } from './dead-letter';
export { ConsumerRunner } from './consumer-runner';
export type { CommitReason, ConsumerRunnerOptions } from './consumer-runner';
export type {
  BatchContext,
  Checkpoint,
  PartitionHandler,
  PartitionHandlerFactory,
} from './partition-handler';
