// Real MQTT clients for tests: log in as a device or the gateway and report what the broker answered.
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { testMqttConfig, uniqueName } from '@lambda-iot/testkit';

/** Reason codes of MQTT 5 that the broker uses for refusals. */
export const NOT_AUTHORIZED = 135;
export const BAD_LOGIN = 134;

export class MqttProbe {
  private readonly clients: MqttClient[] = [];

  /** Connects with MQTT 5 (reason codes in CONNACK, SUBACK, PUBACK) and no retries. */
  async connect(
    login: { username?: string; password?: string },
    extra: IClientOptions = {},
  ): Promise<MqttClient> {
    const client = await connectAsync(
      testMqttConfig().url,
      {
        protocolVersion: 5,
        clientId: uniqueName('probe'),
        reconnectPeriod: 0,
        connectTimeout: 5_000,
        ...login,
        ...extra,
      },
      false,
    );
    this.clients.push(client);
    return client;
  }

  /** The CONNACK reason code of a refused login, or 'accepted'. */
  async loginOutcome(login: { username?: string; password?: string }): Promise<number | 'accepted'> {
    try {
      const client = await this.connect(login);
      await client.endAsync();
      return 'accepted';
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'number') return code;
      throw err;
    }
  }

  /** 'accepted', or the reason code of a refusing PUBACK of a QoS 1 publish. */
  async publishOutcome(client: MqttClient, topic: string, payload: string): Promise<number | 'accepted'> {
    try {
      await client.publishAsync(topic, payload, { qos: 1 });
      return 'accepted';
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'number') return code;
      throw err;
    }
  }

  async close(): Promise<void> {
    // Forced: a client the broker already dropped would otherwise wait for a goodbye that never comes.
    await Promise.all(this.clients.map((c) => c.endAsync(true).catch(() => undefined)));
  }
}
