// MQTT intake: a shared subscription to devices/+/readings, each message acknowledged (PUBACK) only after Kafka acknowledged it.
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { backoffDelay, sleep, DEFAULT_BACKOFF } from '@lambda-iot/core';
import { LifecycleBase, silentLogger, type Logger } from '@lambda-iot/runtime';
import { MqttIntakeError } from './gateway-errors';
import type { ReadingIngest } from './reading-ingest';

export interface MqttIngestOptions {
  url: string;
  /** The gateway's broker login; it may subscribe to device readings and nothing else. */
  login?: { username: string; password: string };
  ingest: ReadingIngest;
  /** Shared-subscription group: replicas in the same group split the devices' messages between them. */
  group?: string;
  /** Parallel subscriber connections; mqtt.js handles one message at a time per connection. */
  connections?: number;
  /** Stable per replica, so the broker keeps unacknowledged messages for it across reconnects. */
  clientIdPrefix: string;
  /** A clean session is forgotten by the broker on disconnect: for tests and benchmarks, never for production. */
  cleanSession?: boolean;
  logger?: Logger;
  /** Extra mqtt.js options (TLS). */
  clientOptions?: IClientOptions;
}

const RETRY_BACKOFF = { ...DEFAULT_BACKOFF, maxMs: 5_000 };

export const DEVICE_READINGS_FILTER = 'devices/+/readings';

/** The device id in `devices/<id>/readings`, or undefined for any other topic. */
export function deviceIdOfTopic(topic: string): string | undefined {
  const parts = topic.split('/');
  return parts.length === 3 && parts[0] === 'devices' && parts[2] === 'readings' && parts[1] !== ''
    ? parts[1]
    : undefined;
}

export class MqttIngest extends LifecycleBase {
  private readonly clients: MqttClient[] = [];
  private readonly abort = new AbortController();
  private readonly logger: Logger;

  constructor(private readonly options: MqttIngestOptions) {
    super();
    this.logger = options.logger ?? silentLogger;
  }

  protected async onStart(): Promise<void> {
    const n = Math.max(1, this.options.connections ?? 2);
    const filter = `$share/${this.options.group ?? 'gateway'}/${DEVICE_READINGS_FILTER}`;
    for (let i = 0; i < n; i++) {
      const client = connect(this.options.url, {
        clientId: `${this.options.clientIdPrefix}-${i}`,
        // A persistent session: messages not yet acknowledged when this replica stops are redelivered.
        clean: this.options.cleanSession ?? false,
        reconnectPeriod: 1_000,
        connectTimeout: 10_000,
        ...this.options.login,
        ...this.options.clientOptions,
      });
      // mqtt.js sends the PUBACK of a QoS 1 message, and reads the next one, only when this callback runs.
      client.handleMessage = (packet, done) => {
        if (packet.cmd !== 'publish') {
          done();
          return;
        }
        this.handle(packet.topic, packet.payload as Buffer).then(
          () => done(),
          (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
        );
      };
      client.on('error', (err) => this.logger.warn({ err }, 'MQTT client error'));
      this.clients.push(client);
      try {
        await new Promise<void>((resolve, reject) => {
          client.once('connect', () => resolve());
          client.once('error', reject);
        });
        await client.subscribeAsync(filter, { qos: 1 });
      } catch (err) {
        // Otherwise the clients would keep reconnecting with a login that cannot work.
        await Promise.all(this.clients.map((c) => c.endAsync(true).catch(() => undefined)));
        throw startFailure(err, this.options.url, this.options.login?.username, filter);
      }
    }
    this.logger.info({ filter, connections: n }, 'MQTT intake subscribed');
  }

  protected async onClose(): Promise<void> {
    this.abort.abort(new Error('closing'));
    await Promise.all(this.clients.map((c) => c.endAsync().catch(() => undefined)));
  }

  /** Retries until Kafka acknowledges (or the intake closes): the broker keeps the message until then. */
  private async handle(topic: string, payload: Buffer): Promise<void> {
    const topicDevice = deviceIdOfTopic(topic);
    for (let attempt = 1; ; attempt++) {
      this.abort.signal.throwIfAborted();
      try {
        if (topicDevice === undefined) {
          await this.options.ingest.refuseWhole(
            payload,
            'invalid_device_id',
            `topic ${topic} does not name a device`,
            'mqtt',
          );
        } else {
          await this.options.ingest.ingest([{ original: Buffer.from(payload) }], topicDevice, 'mqtt');
        }
        return;
      } catch (err) {
        const delay = backoffDelay(RETRY_BACKOFF, attempt);
        this.logger.warn({ err, topic, attempt, delay }, 'MQTT message not written to Kafka; retrying');
        await sleep(delay, this.abort.signal);
      }
    }
  }
}

/** A CONNACK or SUBACK refusal carries a reason code; anything else is the broker not being there. */
function startFailure(
  err: unknown,
  url: string,
  username: string | undefined,
  filter: string,
): MqttIntakeError {
  const code = (err as { code?: unknown }).code;
  const granted = (err as { packet?: { granted?: unknown } }).packet?.granted;
  const where = url.replace(/\/\/[^@/]*@/, '//');
  if (Array.isArray(granted))
    return new MqttIntakeError(
      `the MQTT broker at ${where} does not let "${username ?? '(anonymous)'}" subscribe to ${filter}`,
      { code: 'mqtt_refused', cause: err },
    );
  if (typeof code === 'number')
    return new MqttIntakeError(
      `the MQTT broker at ${where} refused the login "${username ?? '(anonymous)'}" (CONNACK ${code}); ` +
        'check MQTT_USERNAME and MQTT_PASSWORD',
      { code: 'mqtt_refused', cause: err },
    );
  return new MqttIntakeError(`could not connect to the MQTT broker at ${where}`, {
    code: 'mqtt_unavailable',
    cause: err,
  });
}
