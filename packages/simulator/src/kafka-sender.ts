// Sends traffic straight to the `readings` topic in large batches: the fast path for load and for downstream tests.
import { CompressionTypes, type Message, type Producer } from 'kafkajs';
import { CONTENT_TYPE_HEADER, JSON_CONTENT_TYPE, encodeEnvelope } from '@lambda-iot/core';
import { ACKS_ALL, KafkaError } from '@lambda-iot/kafka';
import { InFlightLimit } from './in-flight-limit';
import { emptyReport, type SendReport, type TrafficSender } from './traffic-sender';
import type { TrafficItem } from './traffic-generator';

export interface KafkaSenderOptions {
  /** A connected producer; the caller owns it (create it with kafka's `createProducer`). */
  producer: Producer;
  topic: string;
  /** Envelopes per produce request. */
  batchMessages?: number;
  /** Bytes per produce request; keep it under the broker's message.max.bytes (1 MiB by default), which caps a partition's batch. */
  maxBatchBytes?: number;
  /** Produce requests awaiting acknowledgement at once. */
  maxInFlightBatches?: number;
  compression?: CompressionTypes;
  /** Malformed records go to the topic too (consumers must dead-letter them); off sends only envelopes. */
  includeMalformed?: boolean;
}

const HEADERS = { [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE };

export class KafkaSender implements TrafficSender {
  readonly report: SendReport = emptyReport();
  private batch: Message[] = [];
  private batchReadings = 0;
  private batchMalformed = 0;
  private batchBytes = 0;
  private readonly limit: InFlightLimit;
  private readonly batchMessages: number;

  constructor(private readonly options: KafkaSenderOptions) {
    this.batchMessages = options.batchMessages ?? 500;
    this.limit = new InFlightLimit(options.maxInFlightBatches ?? 2);
  }

  async send(item: TrafficItem): Promise<void> {
    if (item.kind === 'malformed' && this.options.includeMalformed === false) return;
    const key = item.kind === 'envelope' ? item.envelope.deviceId : item.deviceId;
    const value = item.kind === 'envelope' ? encodeEnvelope(item.envelope) : item.bytes;
    // Dispatch before the batch would outgrow the byte budget, so no request exceeds it by one envelope.
    if (this.batch.length > 0 && this.batchBytes + value.length > (this.options.maxBatchBytes ?? 900_000))
      await this.dispatch();
    this.batch.push({ key, value, headers: HEADERS });
    this.batchBytes += value.length;
    if (item.kind === 'envelope') this.batchReadings += item.envelope.readings.length;
    else this.batchMalformed++;
    if (this.batch.length >= this.batchMessages) await this.dispatch();
  }

  async flush(): Promise<void> {
    await this.dispatch();
    await this.limit.drain();
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private async dispatch(): Promise<void> {
    if (this.batch.length === 0) return;
    const messages = this.batch;
    const readings = this.batchReadings;
    const malformed = this.batchMalformed;
    this.batch = [];
    this.batchReadings = 0;
    this.batchMalformed = 0;
    this.batchBytes = 0;
    await this.limit.run(1, async () => {
      try {
        await this.options.producer.send({
          topic: this.options.topic,
          acks: ACKS_ALL,
          compression: this.options.compression ?? CompressionTypes.None,
          messages,
        });
      } catch (err) {
        throw KafkaError.from(err, `sending ${messages.length} envelopes to ${this.options.topic}`);
      }
      this.report.envelopes += messages.length - malformed;
      this.report.readings += readings;
      this.report.malformed += malformed;
    });
  }
}
