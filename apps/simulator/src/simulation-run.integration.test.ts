import { mkdtempSync, rmSync } from 'node:fs';
import { connectAsync } from 'mqtt';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedis } from '@lambda-iot/connections';
import { decodeEnvelope, validationLimitsAt, type KafkaConnectionConfig } from '@lambda-iot/core';
import { MosquittoDynsecCredentials, RedisDeviceRegistry } from '@lambda-iot/devices';
import { createKafka, ensureTopics } from '@lambda-iot/kafka';
import { GroundTruth, deviceToken } from '@lambda-iot/simulator';
import {
  deleteKeys,
  eventually,
  testKafkaConfig,
  testMqttConfig,
  testRedisConfig,
  uniqueName,
} from '@lambda-iot/testkit';
import { parseCli } from './cli-options';
import type { SimulatorConfig } from './config';
import { registerDevices, registerFleet, runSimulation } from './simulation-run';

describe('simulator run on the real stack', () => {
  it('sends a fast run straight to Kafka and writes a ground truth equal to what landed (malformed records aside)', async () => {
    const topic = uniqueName('t_sim');
    const kafkaConfig: KafkaConnectionConfig = testKafkaConfig('simulator-it');
    const kafka = createKafka(kafkaConfig);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 2 }]);
    const dir = mkdtempSync(join(tmpdir(), 'sim-'));
    const consumer = kafka.consumer({ groupId: uniqueName('g_sim') });
    try {
      const config: SimulatorConfig = {
        kafka: kafkaConfig,
        redis: testRedisConfig('unused:'),
        gatewayUrl: 'http://127.0.0.1:1',
        mqttUrl: 'mqtt://127.0.0.1:1',
        mqttAdmin: undefined,
        readingsTopic: topic,
      };
      const path = join(dir, 'truth.ndjson');
      const options = parseCli([
        '--devices',
        '6',
        '--rate',
        '60',
        '--duration',
        '2m',
        '--fast',
        '--envelope-size',
        '15',
        '--ground-truth',
        path,
        '--seed',
        '3',
      ]);
      const summary = await runSimulation(config, options, () => undefined);
      expect(summary.delivered.envelopes).toBe(summary.stats.envelopes);
      expect(summary.delivered.malformed).toBe(summary.stats.malformed);
      expect(summary.stats.duplicates).toBeGreaterThan(0);

      const received = new GroundTruth();
      let records = 0;
      let refused = 0;
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          records++;
          const decoded = decodeEnvelope(message.value ?? Buffer.alloc(0), validationLimitsAt(Date.now()));
          if (decoded.rejections.length > 0) refused++;
          decoded.readings.forEach((r) => received.add(r));
        },
      });
      await eventually(() => expect(records).toBe(summary.stats.envelopes + summary.stats.malformed), {
        timeoutMs: 60_000,
      });
      expect(refused).toBe(summary.stats.malformed);
      const truth = await GroundTruth.readNdjson(path);
      expect(truth.size).toBe(summary.groundTruthReadings);
      expect(received.sorted()).toEqual(truth.sorted());
    } finally {
      await consumer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('registers its fleet in the Redis device registry with seed-derived tokens', async () => {
    const keyPrefix = `${uniqueName('simreg')}:`;
    const redisConfig = testRedisConfig(keyPrefix);
    const config: SimulatorConfig = {
      kafka: testKafkaConfig(),
      redis: redisConfig,
      gatewayUrl: 'http://127.0.0.1:1',
      mqttUrl: 'mqtt://127.0.0.1:1',
      // Seed 9's tokens must not become the broker logins of dev-0001…, which other runs use.
      mqttAdmin: undefined,
      readingsTopic: 'unused',
    };
    const redis = createRedis(redisConfig);
    const registry = new RedisDeviceRegistry({ redis, keyPrefix });
    try {
      expect(await registerFleet(config, parseCli(['--devices', '3', '--seed', '9']))).toBe(3);
      const devices = await registry.list();
      expect(devices.map((d) => d.deviceId)).toEqual(['dev-0001', 'dev-0002', 'dev-0003']);
      expect(devices[0]!.tags).toHaveProperty('site');
      expect(await registry.verifyToken('dev-0002', deviceToken(9, 'dev-0002'))).toBe(true);
      expect(await registry.verifyToken('dev-0002', deviceToken(8, 'dev-0002'))).toBe(false);
    } finally {
      await redis.del(registry.key);
      redis.disconnect();
    }
  });

  it('gives registered devices their broker login too, so they can publish over MQTT as themselves', async () => {
    const keyPrefix = `${uniqueName('simmq')}:`;
    const { url, admin } = testMqttConfig();
    const config: SimulatorConfig = {
      kafka: testKafkaConfig(),
      redis: testRedisConfig(keyPrefix),
      gatewayUrl: 'http://127.0.0.1:1',
      mqttUrl: url,
      mqttAdmin: admin,
      readingsTopic: 'unused',
    };
    const deviceId = uniqueName('simdev').replace(/_/g, '-');
    const redis = createRedis(config.redis);
    const registry = new RedisDeviceRegistry({ redis, keyPrefix });
    try {
      await registerDevices(config, [{ deviceId, tags: { site: 'oslo' }, token: 'sim-token' }]);
      expect(await registry.verifyToken(deviceId, 'sim-token')).toBe(true);
      const device = await connectAsync(url, {
        protocolVersion: 5,
        username: deviceId,
        password: 'sim-token',
      });
      await device.publishAsync(`devices/${deviceId}/readings`, '{}', { qos: 1 });
      await device.endAsync();
      await expect(
        registerDevices({ ...config, mqttAdmin: { ...admin, password: 'wrong' } }, [
          { deviceId, tags: {}, token: 't2' },
        ]),
      ).rejects.toMatchObject({ code: 'broker_refused' });
    } finally {
      await redis.del(registry.key);
      redis.disconnect();
      const credentials = await MosquittoDynsecCredentials.connect(url, admin);
      await credentials.removeDevices([deviceId]);
      await credentials.close();
    }
  });

  it('sends a run over MQTT, each device on its own login, after registering the fleet', async () => {
    const keyPrefix = `${uniqueName('simmq')}:`;
    const { url, admin, gateway } = testMqttConfig();
    const config: SimulatorConfig = {
      kafka: testKafkaConfig(),
      redis: testRedisConfig(keyPrefix),
      gatewayUrl: 'http://127.0.0.1:1',
      mqttUrl: url,
      mqttAdmin: admin,
      readingsTopic: 'unused',
    };
    // Seed 42 is the fleet `npm start` registers: its broker logins keep the passwords they already have.
    const options = parseCli([
      '--devices',
      '2',
      '--rate',
      '20',
      '--duration',
      '1m',
      '--fast',
      '--seed',
      '42',
    ]);
    const tap = await connectAsync(url, { ...gateway, clientId: uniqueName('simtap') });
    const seen = new Map<string, number>();
    tap.on('message', (topic) => seen.set(topic, (seen.get(topic) ?? 0) + 1));
    const redis = createRedis(config.redis);
    try {
      await tap.subscribeAsync('devices/+/readings', { qos: 1 });
      expect(await registerFleet(config, options)).toBe(2);
      const summary = await runSimulation(config, { ...options, via: 'mqtt' }, () => undefined);
      expect(summary.delivered.envelopes).toBe(summary.stats.envelopes);
      expect(summary.delivered.malformed).toBe(summary.stats.malformed);
      const sent = summary.stats.envelopes + summary.stats.malformed;
      await eventually(() =>
        expect(
          (seen.get('devices/dev-0001/readings') ?? 0) + (seen.get('devices/dev-0002/readings') ?? 0),
        ).toBeGreaterThanOrEqual(sent),
      );
    } finally {
      await tap.endAsync();
      await deleteKeys(redis, keyPrefix);
      redis.disconnect();
    }
  });
});
