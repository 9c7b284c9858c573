import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { MINUTE_MS, decodeEnvelope, validationLimitsAt } from '@lambda-iot/core';
import { RedisDeviceRegistry } from '@lambda-iot/devices';
import { createKafka, createProducer, DLQ_HEADERS, headerString } from '@lambda-iot/kafka';
import {
  GroundTruth,
  HttpSender,
  TrafficGenerator,
  deviceToken,
  fleetDevices,
  runTraffic,
  type MalformedItem,
} from '@lambda-iot/simulator';
import { eventually, testKafkaConfig, testRedisConfig } from '@lambda-iot/testkit';
import { loadConfig } from './config';
import type { GatewayParts } from './gateway-parts';
import type { TopicTap } from './test-support/topic-tap';
import { GatewayTestStack, stopGateway } from './test-support/gateway-test-stack';

const SEED = 11;
const BODY_LIMIT = 2_048;
// The tap's consumer group may take a while to join on a busy two-core machine.
const KAFKA_WAIT = { timeoutMs: 60_000 };

let stack: GatewayTestStack;
let kafka: Kafka;
let registry: RedisDeviceRegistry;
let keyPrefix: string;
let readingsTopic: string;
let dlqTopic: string;
let tap: TopicTap;

function gatewayEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: testKafkaConfig().brokers.join(','),
    REDIS_PORT: String(testRedisConfig('x').port),
    REDIS_KEY_PREFIX: keyPrefix,
    GATEWAY_PORT: '0',
    GATEWAY_BODY_LIMIT: String(BODY_LIMIT),
    GATEWAY_SEND_TIMEOUT: '5s',
    // MQTT has its own suite (gateway-mqtt.integration.test.ts).
    MQTT_ENABLED: 'false',
    READINGS_TOPIC: readingsTopic,
    DLQ_TOPIC: dlqTopic,
    LOG_LEVEL: 'silent',
    ...overrides,
  };
}

async function startGateway(env: Record<string, string>, kafkaClient = kafka): Promise<GatewayParts> {
  return stack.startGateway(loadConfig(env), createProducer(kafkaClient));
}

const urlOf = (parts: GatewayParts) => `http://127.0.0.1:${parts.server.address.port}`;
const reasonOf = (headers: Parameters<typeof headerString>[0]) => headerString(headers, DLQ_HEADERS.reason);

beforeAll(async () => {
  stack = await GatewayTestStack.open('gw', ['readings', 'dlq']);
  ({ kafka, registry, keyPrefix, readingsTopic, dlqTopic, tap } = stack);
});

afterAll(() => stack.close());

describe('gateway on the real stack', () => {
  it('lands every valid simulated reading in the readings topic keyed by device, and every malformed record in the DLQ', async () => {
    const parts = await startGateway(gatewayEnv());
    try {
      const fleet = fleetDevices(4, SEED);
      await registry.registerMany(fleet.map((d) => ({ ...d, token: deviceToken(SEED, d.deviceId) })));
      const gen = new TrafficGenerator({
        seed: SEED,
        devices: 4,
        startTime: Date.now() - 3 * MINUTE_MS,
        durationMs: 2 * MINUTE_MS,
        readingsPerSecond: 20,
        envelopeSize: 20,
        faults: { malformed: 0.3 },
      });
      const items = [...gen.items()];
      const truth = new GroundTruth();
      const sender = new HttpSender({
        baseUrl: urlOf(parts),
        tokenFor: (id) => deviceToken(SEED, id),
        concurrency: 8,
      });
      await runTraffic(items, { sender, truth });
      const malformed = items.filter((i): i is MalformedItem => i.kind === 'malformed');
      expect(malformed.length).toBeGreaterThan(3);
      expect(sender.report.statuses).toEqual({ 202: gen.stats.envelopes, 400: malformed.length });

      const received = new GroundTruth();
      await eventually(() => {
        expect(tap.of(readingsTopic).length).toBe(gen.stats.envelopes);
        expect(tap.of(dlqTopic).length).toBe(malformed.length);
      }, KAFKA_WAIT);
      for (const r of tap.of(readingsTopic)) {
        const decoded = decodeEnvelope(r.value, validationLimitsAt(Date.now()));
        expect(decoded.rejections).toEqual([]);
        expect(r.key).toBe(decoded.deviceId);
        decoded.readings.forEach((reading) => received.add(reading));
      }
      expect(received.sorted()).toEqual(truth.sorted());
      // A device's envelopes all share one partition (keyed writes).
      const partitionsByDevice = new Map<string, Set<number>>();
      for (const r of tap.of(readingsTopic)) {
        if (!partitionsByDevice.has(r.key!)) partitionsByDevice.set(r.key!, new Set());
        partitionsByDevice.get(r.key!)!.add(r.partition);
      }
      for (const set of partitionsByDevice.values()) expect(set.size).toBe(1);
      const dlqReasons = tap
        .of(dlqTopic)
        .map((r) => reasonOf(r.headers))
        .sort();
      expect(dlqReasons).toEqual(malformed.map((m) => m.expected).sort());
      expect(
        tap
          .of(dlqTopic)
          .map((r) => r.value.toString('base64'))
          .sort(),
      ).toEqual(malformed.map((m) => m.bytes.toString('base64')).sort());
      for (const r of tap.of(dlqTopic)) expect(headerString(r.headers, DLQ_HEADERS.source)).toBe('http');
    } finally {
      await stopGateway(parts);
    }
  });

  it('gives each kind of bad input its status and dead-letters it with its reason', async () => {
    const parts = await startGateway(gatewayEnv());
    try {
      const deviceId = `bad-${randomBytes(4).toString('hex')}`;
      await registry.register({ deviceId, tags: { site: 'oslo' }, token: 'good-token' });
      const now = Date.now();
      const env = (reading: string) => `{"deviceId":"${deviceId}","readings":[${reading}]}`;
      const cases: Array<{
        name: string;
        body: string;
        headers?: Record<string, string>;
        status: number;
        reason: string;
      }> = [
        {
          name: 'malformed JSON',
          body: `{"deviceId":"${deviceId}","readings":[{"metric":`,
          status: 400,
          reason: 'malformed_json',
        },
        {
          name: 'wrong type',
          body: env(`{"metric":"temperature","ts":${now},"value":"21.5"}`),
          status: 400,
          reason: 'invalid_value',
        },
        {
          name: 'NaN',
          body: env(`{"metric":"temperature","ts":${now},"value":NaN}`),
          status: 400,
          reason: 'malformed_json',
        },
        {
          name: 'Infinity',
          body: env(`{"metric":"temperature","ts":${now},"value":1e999}`),
          status: 400,
          reason: 'non_finite_value',
        },
        {
          name: 'Infinity as string',
          body: env(`{"metric":"temperature","ts":${now},"value":"Infinity"}`),
          status: 400,
          reason: 'invalid_value',
        },
        {
          name: 'ts before 2000',
          body: env(`{"metric":"temperature","ts":${Date.UTC(1999, 0, 1)},"value":1}`),
          status: 400,
          reason: 'ts_too_old',
        },
        {
          name: 'ts over a day ahead',
          body: env(`{"metric":"temperature","ts":${now + 2 * 86_400_000},"value":1}`),
          status: 400,
          reason: 'ts_in_future',
        },
        {
          name: 'unknown device',
          body: env(`{"metric":"temperature","ts":${now},"value":1}`).replace(deviceId, `${deviceId}-x`),
          headers: { 'x-device-id': `${deviceId}-x` },
          status: 401,
          reason: 'unknown_device',
        },
        {
          name: 'another device than the token’s',
          body: env(`{"metric":"temperature","ts":${now},"value":1}`).replace(deviceId, `${deviceId}-y`),
          status: 400,
          reason: 'device_mismatch',
        },
        {
          name: 'wrong token',
          body: env(`{"metric":"temperature","ts":${now},"value":1}`),
          headers: { authorization: 'Bearer nope' },
          status: 401,
          reason: 'unauthorized',
        },
        {
          name: 'no token',
          body: env(`{"metric":"temperature","ts":${now},"value":1}`),
          headers: { authorization: '' },
          status: 401,
          reason: 'unauthorized',
        },
        {
          name: 'oversized body',
          body: env(
            Array.from(
              { length: 60 },
              (_, i) => `{"metric":"temperature","ts":${now - i},"value":${i}}`,
            ).join(','),
          ),
          status: 413,
          reason: 'oversized',
        },
      ];
      for (const c of cases) {
        const res = await fetch(`${urlOf(parts)}/v1/readings`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: 'Bearer good-token',
            'x-device-id': deviceId,
            ...c.headers,
          },
          body: c.body,
        });
        await res.arrayBuffer();
        expect({ name: c.name, status: res.status }).toEqual({ name: c.name, status: c.status });
      }
      const mine = () => tap.of(dlqTopic).filter((r) => r.value.toString().includes(deviceId));
      await eventually(() => expect(mine()).toHaveLength(cases.length), KAFKA_WAIT);
      for (const c of cases) {
        const expectedBytes = c.status === 413 ? c.body.slice(0, BODY_LIMIT) : c.body;
        const letter = mine().find((r) => r.value.toString() === expectedBytes);
        expect({ name: c.name, reason: letter && reasonOf(letter.headers) }).toEqual({
          name: c.name,
          reason: c.reason,
        });
      }
      expect(tap.of(readingsTopic).filter((r) => r.key?.startsWith(deviceId))).toEqual([]);
    } finally {
      await stopGateway(parts);
    }
  });

  it('answers 503 with Retry-After, and acknowledges nothing, while Kafka is unreachable', async () => {
    const deadKafka = createKafka(
      { ...testKafkaConfig('gateway-dead'), brokers: ['127.0.0.1:1'] },
      { retries: 0, connectionTimeoutMs: 500 },
    );
    const parts = await startGateway(gatewayEnv({ GATEWAY_SEND_TIMEOUT: '1500ms' }), deadKafka);
    try {
      const deviceId = `down-${randomBytes(4).toString('hex')}`;
      await registry.register({ deviceId, tags: {}, token: 'down-token' });
      const body = JSON.stringify({
        deviceId,
        readings: [{ metric: 'temperature', ts: Date.now(), value: 1 }],
      });
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${urlOf(parts)}/v1/readings`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer down-token' },
          body,
        });
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('5');
        expect(await res.json()).toMatchObject({ error: 'unavailable' });
      }
      const health = await fetch(`${urlOf(parts)}/healthz`);
      expect(health.status).toBe(503);
    } finally {
      await stopGateway(parts);
    }
  });
});
