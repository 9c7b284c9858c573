// Builds the kafkajs client from typed configuration, with SASL/TLS and kafkajs' logs routed into ours.
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { KafkaConnectionConfig } from '@lambda-iot/core';
import { tlsOptions } from '@lambda-iot/connections';

/** The part of a pino-like logger kafkajs' lines are forwarded to. */
export interface KafkaLogSink {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface KafkaClientOptions {
  logger?: KafkaLogSink;
  /** How long one connection attempt may take before kafkajs gives up on a broker. */
  connectionTimeoutMs?: number;
  /** kafkajs' own retry budget for a single request; our callers add their own backoff on top. */
  retries?: number;
}

export function kafkaConfig(config: KafkaConnectionConfig, options: KafkaClientOptions = {}): KafkaConfig {
  const kafkaOpts: KafkaConfig = {
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: options.retries ?? 5 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => forward(options.logger, entry),
  };
  const tls = tlsOptions(config.tls);
  if (tls) kafkaOpts.ssl = tls;
  if (config.sasl) kafkaOpts.sasl = { ...config.sasl } as SASLOptions;
  return kafkaOpts;
}

export function createKafka(config: KafkaConnectionConfig, options: KafkaClientOptions = {}): Kafka {
  return new Kafka(kafkaConfig(config, options));
}

function forward(logger: KafkaLogSink | undefined, entry: LogEntry): void {
  if (!logger) return;
  const { message, ...rest } = entry.log;
  const fields = { component: 'kafkajs', namespace: entry.namespace, ...rest };
  switch (entry.level) {
    case logLevel.ERROR:
      logger.error(fields, message);
      break;
    case logLevel.WARN:
      logger.warn(fields, message);
      break;
    case logLevel.INFO:
      logger.info(fields, message);
      break;
    default:
      logger.debug(fields, message);
  }
}
