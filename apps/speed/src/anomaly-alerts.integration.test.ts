import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer } from 'kafkajs';
import {
  BASELINE_FORMAT,
  CassandraAlertStore,
  FileBaselineStore,
  RedisAlertStore,
  type AlertEvent,
  type BaselineModel,
} from '@lambda-iot/anomaly';
import {
  CONTENT_TYPE_HEADER,
  encodeEnvelope,
  JSON_CONTENT_TYPE,
  MINUTE_MS,
  windowStart,
} from '@lambda-iot/core';
import { silentLogger } from '@lambda-iot/runtime';
import { eventually, uniqueName } from '@lambda-iot/testkit';
import { Registry } from 'prom-client';
import { loadConfig } from './config';
import { SpeedApp } from './speed-app';
import { openSpeedStack, type SpeedStack } from './test-support/speed-stack';
import type { ScenarioMessage } from './test-support/reading-scenario';

const T0 = windowStart(Date.now() - 3 * 3_600_000, '1h');

function baseline(version: string, median: number): BaselineModel {
  const stats = { median, mad: 0.5, n: 1_000 };
  return {
    format: BASELINE_FORMAT,
    version,
    fittedAt: T0,
    from: T0 - 86_400_000,
    to: T0,
    params: { days: 1, minSamples: 30 },
    series: { 'd1|temp': { hours: Array.from({ length: 24 }, () => stats), overall: stats } },
    types: {},
    deviceTypes: {},
  };
}

/** Minute `m` of devices d1 (value per `d1Value`) and d2 (always normal), six readings each. */
function minute(m: number, d1Value: number): ScenarioMessage[] {
  return ['d1', 'd2'].map((deviceId) => ({
    partition: 0,
    message: {
      key: deviceId,
      headers: { [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE },
      value: encodeEnvelope({
        deviceId,
        readings: Array.from({ length: 6 }, (_, i) => ({
          metric: 'temp',
          ts: T0 + m * MINUTE_MS + i * 10_000,
          value: (deviceId === 'd1' ? d1Value : 20) + (i % 2 === 0 ? 0.1 : -0.1),
        })),
      }),
    },
  }));
}

const normal = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => minute(from + i, 20)).flat();

describe('anomaly alerts from the speed app on the real stack', () => {
  let stack: SpeedStack;
  let root: string;
  let alertsTopic: string;
  let consumer: Consumer;
  const produced: AlertEvent[] = [];

  beforeAll(async () => {
    stack = await openSpeedStack('anomaly', 1);
    root = await mkdtemp(join(tmpdir(), 'speed-anomaly-'));
    alertsTopic = `${stack.topic}.alerts`;
    consumer = stack.kafka.consumer({ groupId: uniqueName('g_alerts') });
  });
  afterAll(async () => {
    await consumer.disconnect().catch(() => undefined);
    const admin = stack.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [alertsTopic] }).catch(() => undefined);
    await admin.disconnect();
    await stack.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  function app(): SpeedApp {
    const config = loadConfig({
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`,
      REDIS_PORT: String(stack.redisConfig.port),
      REDIS_KEY_PREFIX: stack.redisConfig.keyPrefix,
      CASSANDRA_CONTACT_POINTS: stack.cassandraConfig.contactPoints.join(','),
      CASSANDRA_KEYSPACE: stack.cassandraConfig.keyspace,
      READINGS_TOPIC: stack.topic,
      READINGS_PARTITIONS: '1',
      SPEED_GROUP_ID: stack.groupId,
      SPEED_OUT_OF_ORDERNESS: '0ms',
      SPEED_ALLOWED_LATENESS: '0ms',
      SPEED_FLUSH_INTERVAL: '100ms',
      SPEED_COMMIT_INTERVAL: '100ms',
      SPEED_SESSION_TIMEOUT: '6s',
      ALERTS_TOPIC: alertsTopic,
      ALERTS_PARTITIONS: '1',
      ARCHIVE_ROOT: root,
      ANOMALY_BASELINE_POLL: '200ms',
      OPS_PORT: '0',
    });
    return new SpeedApp(config, silentLogger, new Registry());
  }

  it('raises, keeps across a restart and resolves a spike once, in Kafka, Cassandra and Redis; a new baseline applies without a restart', async () => {
    const store = new FileBaselineStore({ redis: stack.redis, keyPrefix: stack.redisConfig.keyPrefix, root });
    await store.publish(baseline('b1-aaaa', 20));
    const hot = new RedisAlertStore({ redis: stack.redis, keyPrefix: stack.redisConfig.keyPrefix });
    const durable = new CassandraAlertStore({ client: stack.cassandra });
    const spikeId = `d1|temp|spike|${T0 + 5 * MINUTE_MS}`;

    let speed = app();
    await speed.start();
    await consumer.connect();
    await consumer.subscribe({ topic: alertsTopic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        produced.push(JSON.parse(message.value!.toString()) as AlertEvent);
      },
    });

    // Minutes 0-4 normal, from 5 on d1 jumps to 40 (a spike); minute 8's readings close window 7.
    await stack.produce([...normal(0, 5), ...[5, 6, 7, 8].flatMap((m) => minute(m, 40))]);
    await eventually(
      async () => {
        expect(await hot.openAlerts('d1')).toMatchObject([
          { id: spikeId, state: 'open', baselineVersion: 'b1-aaaa' },
        ]);
        expect(
          await durable.query({ deviceId: 'd1', from: T0, to: T0 + 3_600_000, state: 'all' }),
        ).toMatchObject([
          { id: spikeId, state: 'open', score: expect.any(Number), value: expect.closeTo(40, 6) },
        ]);
        expect(produced.filter((e) => e.id === spikeId)).toMatchObject([{ state: 'open' }]);
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );

    // A restart while the anomaly persists: the alert is re-adopted from Redis, not opened again with a new id.
    await speed.close();
    speed = app();
    await speed.start();
    // Windows 8 and 9 still spike; 10, 11 and 12 are clean and resolve it (minute 13's readings close 12).
    await stack.produce([...minute(9, 40), ...normal(10, 14)]);
    await eventually(
      async () => {
        expect(await hot.openAlerts('d1')).toEqual([]);
        expect(
          await durable.query({ deviceId: 'd1', from: T0, to: T0 + 3_600_000, state: 'all' }),
        ).toMatchObject([{ id: spikeId, state: 'resolved', resolvedAt: T0 + 13 * MINUTE_MS }]);
        expect(produced.filter((e) => e.id === spikeId).map((e) => e.state)).toEqual(['open', 'resolved']);
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    expect(new Set(produced.map((e) => e.id))).toEqual(new Set([spikeId]));

    // A new baseline version says normal is 40 now: the next windows of d1 (at 20) are a spike under b2.
    await store.publish(baseline('b2-bbbb', 40));
    let next = 14;
    await eventually(
      async () => {
        // Each further minute closes the one before; once b2 is loaded, the next closed window is scored under it.
        await stack.produce(minute(next++, 20));
        expect(produced.filter((e) => e.baselineVersion === 'b2-bbbb')).toMatchObject([
          { deviceId: 'd1', kind: 'spike', state: 'open' },
        ]);
      },
      { timeoutMs: 60_000, intervalMs: 1_000 },
    );
    await speed.close();
  }, 180_000);
});
