// Kafka failures as the project's typed errors, keeping kafkajs' own judgement of what is worth retrying.
import { LambdaIotError } from '@lambda-iot/core';

export class KafkaError extends LambdaIotError {
  constructor(message: string, options: { code?: string; retriable: boolean; cause?: unknown }) {
    super(message, { code: options.code ?? 'kafka', retriable: options.retriable, cause: options.cause });
  }

  /** Wraps anything a kafkajs call threw; kafkajs marks transient broker errors with `retriable`. */
  static from(err: unknown, context: string): KafkaError {
    if (err instanceof KafkaError) return err;
    const retriable =
      typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? err.message : String(err);
    const code =
      name === 'KafkaJSConnectionError' || name === 'KafkaJSNumberOfRetriesExceeded'
        ? 'kafka_unavailable'
        : 'kafka';
    // Connection loss is always worth another try, whatever kafkajs said about the last attempt.
    return new KafkaError(`${context}: ${message}`, {
      code,
      retriable: retriable || code === 'kafka_unavailable',
      cause: err,
    });
  }
}
