// Writes readings and dead letters to Kafka: concurrent callers are coalesced into one acks=all request, in-flight bytes are bounded.
import { CompressionTypes, type Message, type Producer, type TopicMessages } from 'kafkajs';
import { KafkaError, ACKS_ALL } from '@lambda-iot/kafka';
import { silentLogger, LifecycleBase, type Logger } from '@lambda-iot/runtime';
import { GatewayBusyError, KafkaUnavailableError } from './gateway-errors';
import type { GatewayMetrics } from './gateway-metrics';

export interface ReadingsPublisherOptions {
  /** An idempotent producer (kafka's `createProducer`); the publisher connects and disconnects it. */
  producer: Producer;
  readingsTopic: string;
  deadLetterTopic: string;
  /** Above this many unacknowledged bytes new writes are refused with GatewayBusyError. */
  maxInFlightBytes: number;
  /** A write not acknowledged by then fails with KafkaUnavailableError (it may still land later: at-least-once). */
  sendTimeoutMs: number;
  /** Bytes per Kafka request; under the broker's message.max.bytes, which caps one partition's batch. */
  maxRequestBytes?: number;
  metrics?: GatewayMetrics;
  logger?: Logger;
}

export interface PublishBatch {
  readings: Message[];
  deadLetters: Message[];
}

interface Pending extends PublishBatch {
  bytes: number;
  resolve(): void;
  reject(err: unknown): void;
}

export class ReadingsPublisher extends LifecycleBase {
  private inFlight = 0;
  private queue: Pending[] = [];
  private sending = false;
  private connecting: Promise<void> | undefined;
  private connected = false;
  private readonly logger: Logger;

  constructor(private readonly options: ReadingsPublisherOptions) {
    super();
    this.logger = options.logger ?? silentLogger;
    options.producer.on(options.producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  get inFlightBytes(): number {
    return this.inFlight;
  }

  /** True once the producer has connected and not dropped since. */
  get isConnected(): boolean {
    return this.connected;
  }

  /**
   * Resolves once Kafka acknowledged every message of the batch (acks=all). Rejects with GatewayBusyError
   * before writing anything when too much is in flight, or with KafkaUnavailableError.
   */
  publish(batch: PublishBatch): Promise<void> {
    if (this.isClosing) return Promise.reject(new KafkaUnavailableError('the gateway is shutting down'));
    if (batch.readings.length === 0 && batch.deadLetters.length === 0) return Promise.resolve();
    const bytes = sizeOf(batch.readings) + sizeOf(batch.deadLetters);
    if (this.inFlight > 0 && this.inFlight + bytes > this.options.maxInFlightBytes) {
      return Promise.reject(new GatewayBusyError(this.inFlight, this.options.maxInFlightBytes));
    }
    this.adjust(bytes);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ ...batch, bytes, resolve, reject });
      if (!this.sending) void this.pump();
    });
  }

  protected async onStart(): Promise<void> {
    // Kafka being down at start is not fatal: requests get 503 until it is back.
    await this.connect().catch((err: unknown) =>
      this.logger.warn({ err }, 'Kafka not reachable at start; answering 503 until it is'),
    );
  }

  protected async onClose(): Promise<void> {
    while (this.sending || this.queue.length > 0) await new Promise((r) => setTimeout(r, 10));
    await this.options.producer.disconnect().catch(() => undefined);
  }

  private connect(): Promise<void> {
    if (this.connected) return Promise.resolve();
    this.connecting ??= this.options.producer.connect().then(
      () => {
        this.connected = true;
        this.connecting = undefined;
      },
      (err: unknown) => {
        this.connecting = undefined;
        throw KafkaError.from(err, 'connecting the producer');
      },
    );
    return this.connecting;
  }

  // One request in flight at a time (the idempotent producer serialises anyway); whatever queues meanwhile
  // goes out together in the next request.
  private async pump(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const group = this.takeGroup();
        await this.sendGroup(group);
      }
    } finally {
      this.sending = false;
    }
  }

  private takeGroup(): Pending[] {
    const limit = this.options.maxRequestBytes ?? 900_000;
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || bytes + (this.queue[n] as Pending).bytes <= limit)) {
      bytes += (this.queue[n] as Pending).bytes;
      n++;
    }
    return this.queue.splice(0, n);
  }

  private async sendGroup(group: Pending[]): Promise<void> {
    const readings = group.flatMap((p) => p.readings);
    const deadLetters = group.flatMap((p) => p.deadLetters);
    const topicMessages: TopicMessages[] = [];
    if (readings.length > 0) topicMessages.push({ topic: this.options.readingsTopic, messages: readings });
    if (deadLetters.length > 0)
      topicMessages.push({ topic: this.options.deadLetterTopic, messages: deadLetters });
    const started = process.hrtime.bigint();
    const send = this.connect().then(() =>
      this.options.producer.sendBatch({ topicMessages, acks: ACKS_ALL, compression: CompressionTypes.None }),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new KafkaUnavailableError(`Kafka did not acknowledge within ${this.options.sendTimeoutMs} ms`),
          ),
        this.options.sendTimeoutMs,
      );
    });
    // The bytes stay counted until Kafka really answers, even when the caller already got its timeout.
    const settled = send.then(
      () => this.observe(started, 'ok'),
      (err: unknown) => {
        this.observe(started, 'error');
        this.logger.warn({ err }, 'Kafka write failed');
      },
    );
    void settled.finally(() => this.adjust(-group.reduce((s, p) => s + p.bytes, 0)));
    try {
      await Promise.race([send, timeout]);
      for (const p of group) p.resolve();
    } catch (err) {
      const failure =
        err instanceof KafkaUnavailableError
          ? err
          : new KafkaUnavailableError('Kafka refused the write', err);
      for (const p of group) p.reject(failure);
    } finally {
      clearTimeout(timer);
    }
  }

  private observe(started: bigint, outcome: 'ok' | 'error'): void {
    this.options.metrics?.kafkaSendSeconds.observe(
      { outcome },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
  }

  private adjust(delta: number): void {
    this.inFlight += delta;
    this.options.metrics?.inFlightBytes.set(this.inFlight);
  }
}

function sizeOf(messages: readonly Message[]): number {
  let n = 0;
  for (const m of messages) {
    const v = m.value;
    n += v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
  }
  return n;
}
