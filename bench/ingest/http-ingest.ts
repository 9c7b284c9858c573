// Readings/s through the gateway's HTTP path: concurrent keep-alive POST loops of 100-reading envelopes against a gateway child process.
import { createRedis } from '@lambda-iot/connections';
import { RedisDeviceRegistry } from '@lambda-iot/devices';
import { deviceToken, fleetDevices } from '@lambda-iot/simulator';
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

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const DEVICES = 200;
const SEED = 5;
const PORT = process.env.BENCH_GATEWAY_PORT ?? '18181';

async function main(): Promise<void> {
  const suffix = uniqueSuffix();
  const readingsTopic = `bench_http_${suffix}`;
  const dlqTopic = `bench_http_dlq_${suffix}`;
  const keyPrefix = `bench_http_${suffix}:`;
  const redis = createRedis({
    host: '127.0.0.1',
    port: Number(process.env.REDIS_PORT ?? 6379),
    db: 0,
    tls: { enabled: false, rejectUnauthorized: true },
    keyPrefix,
  });
  const registry = new RedisDeviceRegistry({ redis, keyPrefix });
  await registry.registerMany(
    fleetDevices(DEVICES, SEED).map((d) => ({ ...d, token: deviceToken(SEED, d.deviceId) })),
  );
  const prepared = prepareTraffic(400_000, DEVICES, 100, SEED);
  const kafka = benchKafka('bench-http');
  try {
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
          REDIS_KEY_PREFIX: keyPrefix,
          MQTT_ENABLED: 'false',
        });
        try {
          const url = `http://127.0.0.1:${PORT}/v1/readings`;
          const statuses: Record<number, number> = {};
          let next = 0;
          let readings = 0;
          const deadline = performance.now() + DURATION_MS;
          const t0 = performance.now();
          const loop = async (): Promise<void> => {
            while (performance.now() < deadline) {
              const i = next++ % prepared.envelopes.length;
              const env = prepared.envelopes[i]!.envelope;
              const res = await fetch(url, {
                method: 'POST',
                headers: {
                  'content-type': 'application/json',
                  authorization: `Bearer ${deviceToken(SEED, env.deviceId)}`,
                  'x-device-id': env.deviceId,
                },
                body: prepared.encoded[i]!,
              });
              await res.arrayBuffer();
              statuses[res.status] = (statuses[res.status] ?? 0) + 1;
              if (res.status === 202) readings += env.readings.length;
            }
          };
          await Promise.all(Array.from({ length: CONCURRENCY }, loop));
          const ms = performance.now() - t0;
          const accepted = await counterValue(
            `http://127.0.0.1:${PORT}/metrics`,
            'gateway_readings_accepted_total',
          );
          report('ingest.http', {
            concurrency: CONCURRENCY,
            envelopeSize: 100,
            ms: Math.round(ms),
            readings,
            acceptedByGateway: accepted,
            statuses,
            readingsPerSecond: Math.round((readings * 1000) / ms),
          });
        } finally {
          await stopChild(gateway);
        }
      },
    );
  } finally {
    await redis.del(registry.key);
    redis.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
