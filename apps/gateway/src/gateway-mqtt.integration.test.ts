// MQTT intake on the stack's own broker: only registered devices log in, each may publish only to its own
// topic, and what they publish reaches Kafka through the gateway.
import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { createProducer, DLQ_HEADERS, headerString } from '@lambda-iot/kafka';
import {
  eventually,
  testKafkaConfig,
  testMqttConfig,
  testRedisConfig,
  uniqueName,
} from '@lambda-iot/testkit';
import { loadConfig } from './config';
import type { GatewayParts } from './gateway-parts';
import { GatewayTestStack, stopGateway } from './test-support/gateway-test-stack';

// The tap's consumer group may take a while to join on a busy two-core machine.
const KAFKA_WAIT = { timeoutMs: 60_000 };
const NOT_AUTHORIZED = 135;
const BAD_LOGIN = 134;

let stack: GatewayTestStack;
const clients: MqttClient[] = [];

beforeAll(async () => {
  stack = await GatewayTestStack.open('gwm', ['readings', 'dlq']);
});

afterEach(async () => {
  // Forced: a session the broker closed would otherwise wait for a goodbye that never comes.
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
});

afterAll(() => stack.close());

function gatewayEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: testKafkaConfig().brokers.join(','),
    REDIS_PORT: String(testRedisConfig('x').port),
    REDIS_KEY_PREFIX: stack.keyPrefix,
    GATEWAY_PORT: '0',
    GATEWAY_SEND_TIMEOUT: '5s',
    MQTT_ENABLED: 'true',
    // One subscriber connection handles messages one at a time, in the order the broker delivers them.
    MQTT_CONNECTIONS: '1',
    MQTT_CLIENT_ID: uniqueName('gw'),
    MQTT_SHARE_GROUP: uniqueName('share'),
    MQTT_CLEAN_SESSION: 'true',
    ...GatewayTestStack.mqttEnv(),
    READINGS_TOPIC: stack.readingsTopic,
    DLQ_TOPIC: stack.dlqTopic,
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

function startGateway(overrides: Record<string, string> = {}): Promise<GatewayParts> {
  return stack.startGateway(loadConfig(gatewayEnv(overrides)), createProducer(stack.kafka));
}

const newDeviceId = (): string => `mq-${randomBytes(5).toString('hex')}`;
const readingsTopic = (deviceId: string): string => `devices/${deviceId}/readings`;

function envelope(deviceId: string, value: number, seq: number): string {
  return JSON.stringify({ deviceId, readings: [{ metric: 'humidity', ts: Date.now(), value, seq }] });
}

/** A device's connection as a real device makes it: MQTT 5, so refusals come back with reason codes. */
async function connectDevice(login: { username?: string; password?: string }): Promise<MqttClient> {
  const client = await connectAsync(
    testMqttConfig().url,
    { protocolVersion: 5, clientId: uniqueName('dev'), reconnectPeriod: 0, connectTimeout: 5_000, ...login },
    false,
  );
  clients.push(client);
  return client;
}

async function loginOutcome(login: { username?: string; password?: string }): Promise<number | 'accepted'> {
  try {
    await connectDevice(login);
    return 'accepted';
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw err;
  }
}

async function publishOutcome(
  client: MqttClient,
  topic: string,
  payload: string,
): Promise<number | 'accepted'> {
  try {
    await client.publishAsync(topic, payload, { qos: 1 });
    return 'accepted';
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw err;
  }
}

/** Sum of a gateway counter over the label sets containing `labels`, read from its /metrics. */
async function counter(parts: GatewayParts, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${parts.server.address.port}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labels))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

const records = (deviceId: string) => stack.tap.of(stack.readingsTopic).filter((r) => r.key === deviceId);
const letters = (text: string) =>
  stack.tap.of(stack.dlqTopic).filter((r) => r.value.toString().includes(text));

describe('gateway MQTT intake on the stack broker', () => {
  it('takes a registered device’s readings from its topic into Kafka, and dead-letters a payload naming another device', async () => {
    const parts = await startGateway();
    try {
      const deviceId = newDeviceId();
      await stack.provisionDevice(deviceId, 'mq-token');
      const device = await connectDevice({ username: deviceId, password: 'mq-token' });
      const good = envelope(deviceId, 40, 1);
      const mismatch = envelope(`${deviceId}-other`, 41, 2);
      expect(await publishOutcome(device, readingsTopic(deviceId), good)).toBe('accepted');
      expect(await publishOutcome(device, readingsTopic(deviceId), mismatch)).toBe('accepted');
      await eventually(() => {
        expect(records(deviceId).map((r) => JSON.parse(r.value.toString()))).toEqual([JSON.parse(good)]);
        const letter = stack.tap.of(stack.dlqTopic).find((r) => r.value.toString() === mismatch);
        expect(letter && headerString(letter.headers, DLQ_HEADERS.reason)).toBe('device_mismatch');
        expect(letter && headerString(letter.headers, DLQ_HEADERS.source)).toBe('mqtt');
      }, KAFKA_WAIT);
    } finally {
      await stopGateway(parts);
    }
  });

  it('leaves anonymous clients, unknown devices and wrong tokens outside: the broker refuses them at CONNACK', async () => {
    const deviceId = newDeviceId();
    const other = newDeviceId();
    await stack.provisionDevice(deviceId, 'right-token');
    await stack.provisionDevice(other, 'other-token');
    const refused = [NOT_AUTHORIZED, BAD_LOGIN];
    expect(refused).toContain(await loginOutcome({}));
    expect(refused).toContain(await loginOutcome({ username: deviceId }));
    expect(refused).toContain(await loginOutcome({ username: deviceId, password: 'wrong-token' }));
    expect(refused).toContain(await loginOutcome({ username: deviceId, password: 'other-token' }));
    expect(refused).toContain(await loginOutcome({ username: newDeviceId(), password: 'right-token' }));
    // A device registered in the registry alone (HTTP token only) has no broker login.
    const httpOnly = newDeviceId();
    await stack.registry.register({ deviceId: httpOnly, tags: {}, token: 'http-token' });
    expect(refused).toContain(await loginOutcome({ username: httpOnly, password: 'http-token' }));
    expect(await loginOutcome({ username: deviceId, password: 'right-token' })).toBe('accepted');
  });

  it('refuses a device’s publish to another device’s topic (PUBACK not authorized), and none of it reaches Kafka', async () => {
    const parts = await startGateway();
    try {
      const a = newDeviceId();
      const b = newDeviceId();
      await stack.provisionDevice(a, 'token-a');
      await stack.provisionDevice(b, 'token-b');
      const deviceA = await connectDevice({ username: a, password: 'token-a' });
      const forged = envelope(b, 99, 7);
      expect(await publishOutcome(deviceA, readingsTopic(b), forged)).toBe(NOT_AUTHORIZED);
      expect(await publishOutcome(deviceA, 'devices/other/thing', forged)).toBe(NOT_AUTHORIZED);
      // The broker delivers one client's messages in order and the gateway takes them one at a time, so once
      // this marker is in Kafka anything the broker had let through before it would have been counted.
      const marker = envelope(a, 1, 1);
      expect(await publishOutcome(deviceA, readingsTopic(a), marker)).toBe('accepted');
      await eventually(() => expect(records(a)).toHaveLength(1), KAFKA_WAIT);
      expect(await counter(parts, 'gateway_readings_accepted_total', 'source="mqtt"')).toBe(1);
      expect(await counter(parts, 'gateway_rejections_total', 'source="mqtt"')).toBe(0);
      expect(records(b)).toEqual([]);
      expect(letters(b)).toEqual([]);
    } finally {
      await stopGateway(parts);
    }
  });

  it('takes a device’s new token after it is registered again, and refuses the old one', async () => {
    const parts = await startGateway();
    try {
      const deviceId = newDeviceId();
      await stack.provisionDevice(deviceId, 'first-token');
      const before = await connectDevice({ username: deviceId, password: 'first-token' });
      expect(await publishOutcome(before, readingsTopic(deviceId), envelope(deviceId, 1, 1))).toBe(
        'accepted',
      );
      const dropped = new Promise<void>((resolve) => before.once('close', () => resolve()));

      await stack.provisionDevice(deviceId, 'second-token');
      await dropped;
      expect(await stack.devices.verifyToken(deviceId, 'second-token')).toBe(true);
      expect([NOT_AUTHORIZED, BAD_LOGIN]).toContain(
        await loginOutcome({ username: deviceId, password: 'first-token' }),
      );
      const after = await connectDevice({ username: deviceId, password: 'second-token' });
      expect(await publishOutcome(after, readingsTopic(deviceId), envelope(deviceId, 2, 2))).toBe('accepted');
      await eventually(
        () =>
          expect(records(deviceId).map((r) => JSON.parse(r.value.toString()).readings[0].seq)).toEqual([
            1, 2,
          ]),
        KAFKA_WAIT,
      );
    } finally {
      await stopGateway(parts);
    }
  });

  it('does not start with a login the broker refuses, nor without a broker, and says which', async () => {
    await expect(startGateway({ MQTT_PASSWORD: 'not-the-gateway-password' })).rejects.toMatchObject({
      code: 'mqtt_refused',
      retriable: false,
      message: expect.stringContaining('MQTT_PASSWORD'),
    });
    // A device's login may connect but not subscribe to every device's readings.
    const deviceId = newDeviceId();
    await stack.provisionDevice(deviceId, 'device-token');
    await expect(
      startGateway({ MQTT_USERNAME: deviceId, MQTT_PASSWORD: 'device-token' }),
    ).rejects.toMatchObject({ code: 'mqtt_refused' });
    await expect(startGateway({ MQTT_URL: 'mqtt://127.0.0.1:1' })).rejects.toMatchObject({
      code: 'mqtt_unavailable',
      retriable: true,
    });
  });
});
