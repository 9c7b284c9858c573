// Readings/s through MQTT: QoS 1 publishes to Mosquitto, each device on its own login, counted once the gateway has them acknowledged by Kafka.
import { MosquittoDynsecCredentials } from '@lambda-iot/devices';
import { MqttSender, deviceToken, fleetDevices } from '@lambda-iot/simulator';
import {
  benchKafka,
  counterValue,
  prepareTraffic,
  report,
  spawnGateway,
  stopChild,
  uniqueSuffix,
  withTopics,
} from './bench-support';

const READINGS = Number(process.env.BENCH_MQTT_READINGS ?? 300_000);
const PORT = process.env.BENCH_GATEWAY_PORT ?? '18182';
const MQTT_URL = process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1884';
const MQTT_ADMIN = {
  username: process.env.MQTT_ADMIN_USERNAME || 'admin',
  password: process.env.MQTT_ADMIN_PASSWORD || 'lambda-iot-admin',
};
const DEVICES = 200;
// Seed 42 is the fleet `npm start` registers, so provisioning leaves the broker logins of dev-0001… as they are.
const SEED = 42;

async function main(): Promise<void> {
  const suffix = uniqueSuffix();
  const readingsTopic = `bench_mqtt_${suffix}`;
  const dlqTopic = `bench_mqtt_dlq_${suffix}`;
  const prepared = prepareTraffic(READINGS, DEVICES, 100, SEED);
  const credentials = await MosquittoDynsecCredentials.connect(MQTT_URL, MQTT_ADMIN);
  try {
    await credentials.upsertDevices(
      fleetDevices(DEVICES, SEED).map((d) => ({
        deviceId: d.deviceId,
        token: deviceToken(SEED, d.deviceId),
      })),
    );
  } finally {
    await credentials.close();
  }
  const kafka = benchKafka('bench-mqtt');
  await withTopics(
    kafka,
    [
      { topic: readingsTopic, numPartitions: 6 },
      { topic: dlqTopic, numPartitions: 1 },
    ],
    async () => {
      const gateway = await spawnGateway({
        GATEWAY_PORT: PORT,
        READINGS_TOPIC: readingsTopic,
        DLQ_TOPIC: dlqTopic,
        MQTT_URL,
        MQTT_CONNECTIONS: process.env.BENCH_MQTT_CONNECTIONS ?? '4',
        MQTT_CLIENT_ID: `bench-gw-${suffix}`,
        MQTT_SHARE_GROUP: `bench_${suffix}`,
        MQTT_CLEAN_SESSION: 'true',
      });
      const sender = new MqttSender({
        url: MQTT_URL,
        tokenFor: (id) => deviceToken(SEED, id),
        maxInFlight: 100,
      });
      try {
        const metrics = `http://127.0.0.1:${PORT}/metrics`;
        const t0 = performance.now();
        for (const item of prepared.envelopes) await sender.send(item);
        await sender.flush();
        const publishedMs = performance.now() - t0;
        let accepted = 0;
        while (accepted < prepared.readings && performance.now() - t0 < 300_000) {
          accepted = await counterValue(metrics, 'gateway_readings_accepted_total', 'source="mqtt"');
          if (accepted < prepared.readings) await new Promise((r) => setTimeout(r, 100));
        }
        const ms = performance.now() - t0;
        report('ingest.mqtt', {
          readings: prepared.readings,
          acceptedByGateway: accepted,
          gatewayConnections: Number(process.env.BENCH_MQTT_CONNECTIONS ?? 4),
          deviceConnections: sender.connectionsOpened,
          publishedMs: Math.round(publishedMs),
          ms: Math.round(ms),
          readingsPerSecond: Math.round((accepted * 1000) / ms),
        });
      } finally {
        await sender.close();
        await stopChild(gateway);
      }
    },
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
