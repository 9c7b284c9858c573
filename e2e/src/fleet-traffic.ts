// Sends one seeded simulator run through all three doors at once: HTTP and MQTT via the gateway, and Kafka directly.
import { createProducer, createKafka } from '@lambda-iot/kafka';
import { MosquittoDynsecCredentials, RedisDeviceRegistry } from '@lambda-iot/devices';
import {
  GroundTruth,
  HttpSender,
  KafkaSender,
  MqttSender,
  deviceToken,
  fleetDevices,
  generateTraffic,
  runTraffic,
  type TrafficItem,
  type TrafficOptions,
} from '@lambda-iot/simulator';
import { testKafkaConfig, testMqttConfig } from '@lambda-iot/testkit';
import type { PipelineUnderTest } from './pipeline-under-test';

export interface SentTraffic {
  truth: GroundTruth;
  readingsByDoor: { http: number; mqtt: number; kafka: number };
}

const itemDevice = (item: TrafficItem): string =>
  item.kind === 'envelope' ? item.envelope.deviceId : item.deviceId;

/**
 * The first two devices post over HTTP, the third publishes over MQTT, the rest go straight to Kafka; `during`
 * runs while the traffic flows (the chaos suite kills processes there).
 */
export async function sendFleetTraffic(
  pipeline: PipelineUnderTest,
  options: TrafficOptions,
  during: () => Promise<void> = async () => undefined,
): Promise<SentTraffic> {
  const items = [...generateTraffic(options)];
  const fleet = fleetDevices(options.devices, options.seed);
  const redis = pipeline.redis();
  await new RedisDeviceRegistry({ redis, keyPrefix: pipeline.keyPrefix }).registerMany(
    fleet.map((d) => ({ ...d, token: deviceToken(options.seed, d.deviceId) })),
  );
  redis.disconnect();

  const httpDevices = new Set(fleet.slice(0, 2).map((d) => d.deviceId));
  const mqttDevices = new Set(fleet.slice(2, 3).map((d) => d.deviceId));
  // The MQTT device logs in to the stack's broker as itself; only it gets a broker login.
  const { url: mqttUrl, admin } = testMqttConfig();
  const credentials = await MosquittoDynsecCredentials.connect(mqttUrl, admin);
  await credentials
    .upsertDevices(
      [...mqttDevices].map((deviceId) => ({ deviceId, token: deviceToken(options.seed, deviceId) })),
    )
    .finally(() => credentials.close());
  const door = (item: TrafficItem): 'http' | 'mqtt' | 'kafka' =>
    httpDevices.has(itemDevice(item)) ? 'http' : mqttDevices.has(itemDevice(item)) ? 'mqtt' : 'kafka';

  const producer = createProducer(createKafka(testKafkaConfig('e2e-simulator')));
  await producer.connect();
  const senders = {
    http: new HttpSender({
      baseUrl: pipeline.gatewayUrl,
      tokenFor: (id) => deviceToken(options.seed, id),
      concurrency: 4,
    }),
    mqtt: new MqttSender({ url: mqttUrl, tokenFor: (id) => deviceToken(options.seed, id) }),
    kafka: new KafkaSender({ producer, topic: pipeline.topic, includeMalformed: true }),
  };
  try {
    await Promise.all([
      ...(['http', 'mqtt', 'kafka'] as const).map((d) =>
        runTraffic(
          items.filter((i) => door(i) === d),
          { sender: senders[d] },
        ),
      ),
      during(),
    ]);
  } finally {
    await producer.disconnect();
    await senders.mqtt.close();
  }
  return {
    truth: GroundTruth.fromTraffic(items),
    readingsByDoor: {
      http: senders.http.report.readings,
      mqtt: senders.mqtt.report.readings,
      kafka: senders.kafka.report.readings,
    },
  };
}
