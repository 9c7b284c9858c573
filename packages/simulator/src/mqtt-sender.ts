// Publishes traffic as devices do over MQTT: `devices/<id>/readings`, QoS 1, a bounded number of unacknowledged publishes.
import type { MqttClient } from 'mqtt';
import { encodeEnvelope } from '@lambda-iot/core';
import { InFlightLimit } from './in-flight-limit';
import { emptyReport, type SendReport, type TrafficSender } from './traffic-sender';
import type { TrafficItem } from './traffic-generator';

export interface MqttSenderOptions {
  /** A connected client; the caller owns it. */
  client: MqttClient;
  /** Publishes awaiting PUBACK at once (mosquitto's default max_inflight_messages is 20 per client). */
  maxInFlight?: number;
}

export function readingsTopicOf(deviceId: string): string {
  return `devices/${deviceId}/readings`;
}

export class MqttSender implements TrafficSender {
  readonly report: SendReport = emptyReport();
  private readonly limit: InFlightLimit;

  constructor(private readonly options: MqttSenderOptions) {
    this.limit = new InFlightLimit(options.maxInFlight ?? 20);
  }

  async send(item: TrafficItem): Promise<void> {
    const deviceId = item.kind === 'envelope' ? item.envelope.deviceId : item.deviceId;
    const payload = item.kind === 'envelope' ? encodeEnvelope(item.envelope) : item.bytes;
    await this.limit.run(1, async () => {
      await this.options.client.publishAsync(readingsTopicOf(deviceId), payload, { qos: 1 });
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

  async close(): Promise<void> {
    await this.flush();
  }
}
