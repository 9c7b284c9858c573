// Publishes traffic as devices do over MQTT: each device on its own login, `devices/<id>/readings`, QoS 1, bounded in flight.
import { randomBytes } from 'node:crypto';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { encodeEnvelope, LambdaIotError } from '@lambda-iot/core';
import { InFlightLimit } from './in-flight-limit';
import { emptyReport, type SendReport, type TrafficSender } from './traffic-sender';
import type { TrafficItem } from './traffic-generator';

export interface MqttSenderOptions {
  /** The broker, e.g. `mqtt://127.0.0.1:1884`. */
  url: string;
  /** Each device's token, its broker password (username = deviceId), e.g. `deviceToken(seed, id)`. */
  tokenFor: (deviceId: string) => string;
  /** Publishes awaiting PUBACK at once, over all devices. */
  maxInFlight?: number;
  /** Extra mqtt.js options (TLS, timeouts). */
  clientOptions?: IClientOptions;
}

export function readingsTopicOf(deviceId: string): string {
  return `devices/${deviceId}/readings`;
}

/** Why a device could not publish: its login was refused (`mqtt_refused`), or the broker was unreachable. */
export class MqttSendError extends LambdaIotError {}

export class MqttSender implements TrafficSender {
  readonly report: SendReport = emptyReport();
  private readonly limit: InFlightLimit;
  // One connection per device, opened on its first message: the broker knows each device by its own login.
  private readonly connections = new Map<string, Promise<MqttClient>>();
  private closing: Promise<void> | undefined;
  private opened = 0;

  constructor(private readonly options: MqttSenderOptions) {
    this.limit = new InFlightLimit(options.maxInFlight ?? 20);
  }

  /** Device connections opened so far (one per device, unless the broker dropped one). */
  get connectionsOpened(): number {
    return this.opened;
  }

  async send(item: TrafficItem): Promise<void> {
    const deviceId = item.kind === 'envelope' ? item.envelope.deviceId : item.deviceId;
    const payload = item.kind === 'envelope' ? encodeEnvelope(item.envelope) : item.bytes;
    await this.limit.run(1, async () => {
      const client = await this.connectionOf(deviceId);
      try {
        // MQTT 5: a publish the broker refuses (another device's topic) fails here instead of vanishing.
        await client.publishAsync(readingsTopicOf(deviceId), payload, { qos: 1 });
      } catch (err) {
        const refused = typeof (err as { code?: unknown }).code === 'number';
        throw new MqttSendError(
          refused
            ? `the broker refused a publish of device ${deviceId}`
            : `a publish of device ${deviceId} was lost with its connection`,
          { code: refused ? 'mqtt_refused' : 'mqtt_unavailable', retriable: !refused, cause: err },
        );
      }
      if (item.kind === 'malformed') {
        this.report.malformed++;
      } else {
        this.report.envelopes++;
        this.report.readings += item.envelope.readings.length;
      }
    });
  }

  async flush(): Promise<void> {
    await this.limit.drain();
  }

  /** Flushes, then disconnects every device; idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.flush();
      } finally {
        const opened = await Promise.allSettled(this.connections.values());
        await Promise.all(
          opened.map((c) =>
            c.status === 'fulfilled' ? c.value.endAsync().catch(() => undefined) : undefined,
          ),
        );
      }
    })();
    return this.closing;
  }

  private connectionOf(deviceId: string): Promise<MqttClient> {
    const existing = this.connections.get(deviceId);
    if (existing) return existing;
    const forget = (): void => {
      if (this.connections.get(deviceId) === connection) this.connections.delete(deviceId);
    };
    const connection: Promise<MqttClient> = this.connect(deviceId).then(
      (client) => {
        // Dropped by the broker (its token changed) or the network: a forced end fails the publishes still
        // awaiting their PUBACK instead of leaving them pending, and the next message opens a new connection.
        client.once('close', () => {
          forget();
          client.end(true);
        });
        return client;
      },
      (err: unknown) => {
        // A refused device is tried again on its next message, not remembered as broken.
        forget();
        throw err;
      },
    );
    this.connections.set(deviceId, connection);
    return connection;
  }

  private async connect(deviceId: string): Promise<MqttClient> {
    let client: MqttClient;
    try {
      client = await connectAsync(
        this.options.url,
        {
          protocolVersion: 5,
          clientId: `${deviceId}-${randomBytes(3).toString('hex')}`,
          clean: true,
          // No silent reconnects: a dropped device fails its pending publishes and reconnects on its next message.
          reconnectPeriod: 0,
          connectTimeout: 10_000,
          ...this.options.clientOptions,
          username: deviceId,
          password: this.options.tokenFor(deviceId),
        },
        false,
      );
    } catch (err) {
      const refused = typeof (err as { code?: unknown }).code === 'number';
      throw new MqttSendError(
        refused
          ? `the broker refused the login of device ${deviceId} (is it registered with this token?)`
          : `device ${deviceId} could not connect to the broker`,
        { code: refused ? 'mqtt_refused' : 'mqtt_unavailable', retriable: !refused, cause: err },
      );
    }
    this.opened++;
    // Errors after the login surface as failed publishes; the event itself needs a listener not to throw.
    client.on('error', () => undefined);
    return client;
  }
}
