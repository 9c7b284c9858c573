// Starts the gateway: Kafka producer, device registry, HTTP and MQTT intake, until SIGINT/SIGTERM.
import { createRedis } from '@lambda-iot/connections';
import { FileDeviceRegistry, RedisDeviceRegistry, type DeviceRegistry } from '@lambda-iot/devices';
import { createKafka, createProducer, ensureTopics, pipelineTopics } from '@lambda-iot/kafka';
import { createLogger, createMetricsRegistry, runUntilSignal } from '@lambda-iot/runtime';
import { loadConfig } from './config';
import { createGatewayParts } from './gateway-parts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'gateway', level: config.logLevel });
  const kafka = createKafka(config.kafka, { logger: logger.child({ component: 'kafka' }), retries: 2 });
  await ensureStandardTopics(kafka, config, logger);
  const redis =
    config.registry.kind === 'redis'
      ? createRedis(config.redis, { connectionName: 'gateway', maxRetriesPerRequest: 1 })
      : undefined;
  const registry: DeviceRegistry = redis
    ? new RedisDeviceRegistry({ redis, keyPrefix: config.redis.keyPrefix })
    : await FileDeviceRegistry.load((config.registry as { path: string }).path);
  const parts = createGatewayParts({
    config,
    producer: createProducer(kafka),
    registry,
    metricsRegistry: createMetricsRegistry({ app: 'gateway' }),
    logger,
    ...(redis ? { redis } : {}),
  });
  const redisPart = redis
    ? [{ start: async () => undefined, ready: Promise.resolve(), close: async () => void redis.disconnect() }]
    : [];
  await runUntilSignal([...redisPart, ...parts.lifecycles], { logger });
  logger.info({ ...parts.server.address, mqtt: config.mqtt.enabled }, 'gateway listening');
}

async function ensureStandardTopics(
  kafka: ReturnType<typeof createKafka>,
  config: ReturnType<typeof loadConfig>,
  logger: ReturnType<typeof createLogger>,
): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const [readings, dlq] = pipelineTopics(config.readingsPartitions);
    await ensureTopics(admin, [
      { ...readings!, topic: config.readingsTopic },
      { ...dlq!, topic: config.deadLetterTopic },
    ]);
  } catch (err) {
    logger.warn({ err }, 'could not ensure topics at start; writes will fail until they exist');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
