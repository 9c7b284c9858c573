// Archiver entry point: build the parts from configuration and run until a signal.
import { Archiver } from '@lambda-iot/archive';
import { createRedis } from '@lambda-iot/connections';
import { ACKS_ALL, createKafka, createProducer, ensureTopics } from '@lambda-iot/kafka';
import { createLogger, createMetricsRegistry, OpsServer, runUntilSignal } from '@lambda-iot/runtime';
import { loadConfig } from './config';
import { ArchiverMetrics } from './archiver-metrics';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'archiver', level: config.logLevel });
  const registry = createMetricsRegistry({ app: 'archiver' });
  const metrics = new ArchiverMetrics(registry);
  const redis = createRedis(config.redis, { connectionName: 'archiver' });
  const kafka = createKafka(config.kafka, { logger });
  const producer = createProducer(kafka);
  const archiver = new Archiver({
    kafka,
    redis,
    keyPrefix: config.redis.keyPrefix,
    root: config.archiveRoot,
    topic: config.topic,
    groupId: config.groupId,
    latenessMs: config.latenessMs,
    partitionIdleTimeoutMs: config.partitionIdleTimeoutMs,
    deadLetters: async (messages) => {
      await producer.send({ topic: config.deadLetterTopic, acks: ACKS_ALL, messages });
      metrics.deadLettered(messages.length);
    },
    flushMaxReadings: config.flushMaxReadings,
    flushMaxAgeMs: config.flushMaxAgeMs,
    commitIntervalMs: config.commitIntervalMs,
    sessionTimeoutMs: config.sessionTimeoutMs,
    onFlush: (info) => {
      metrics.flushed(info);
      logger.debug(info, 'flushed');
    },
    onRejected: (r) => {
      metrics.refused(r);
      logger.warn(
        { partition: r.partition, offset: r.offset, reasons: r.rejections.map((x) => x.reason) },
        'refused input',
      );
    },
    onBatch: (info) => metrics.batch(info),
    onResume: (info) => logger.info(info, 'partition assigned'),
    onError: (err, context) => {
      metrics.error(context);
      logger.error({ err, context }, 'archiver error');
    },
  });
  const ops = new OpsServer({
    host: config.opsHost,
    port: config.opsPort,
    registry,
    logger,
    checks: [
      {
        name: 'redis',
        check: () => ({ state: redis.status === 'ready' ? 'up' : 'down', detail: redis.status }),
      },
    ],
  });
  const redisPart = {
    ready: Promise.resolve(),
    start: async () => undefined,
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
  // Closed after the archiver, whose last batches may still dead-letter records.
  const producerPart = {
    ready: Promise.resolve(),
    start: async () => {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopics(admin, [{ topic: config.deadLetterTopic, numPartitions: 3 }]);
      } finally {
        await admin.disconnect();
      }
      await producer.connect();
    },
    close: async () => {
      await producer.disconnect();
    },
  };
  logger.info(
    { root: config.archiveRoot, topic: config.topic, groupId: config.groupId },
    'archiver starting',
  );
  await runUntilSignal([redisPart, producerPart, ops, archiver], { logger });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
