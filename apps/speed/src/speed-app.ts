// The speed app's parts wired together: topics, keyspace and table, the sinks, the consumer group, the status.
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Client } from 'cassandra-driver';
import type { Registry } from 'prom-client';
import { createCassandra, createRedis, ensureKeyspace } from '@lambda-iot/connections';
import { ACKS_ALL, ConsumerRunner, createKafka, createProducer, ensureTopics } from '@lambda-iot/kafka';
import { LifecycleBase, type HealthCheck, type HealthReport, type Logger } from '@lambda-iot/runtime';
import {
  CassandraWindowSink,
  ensureSpeedTable,
  RedisWindowSink,
  SpeedHandlerFactory,
} from '@lambda-iot/speed-layer';
import type { SpeedConfig } from './config';
import { SpeedMetrics } from './speed-metrics';
import { StatusPublisher } from './status-publisher';

interface Parts {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  redis: Redis;
  cassandra: Client;
  runner: ConsumerRunner;
  status: StatusPublisher;
}

export class SpeedApp extends LifecycleBase {
  private parts: Partial<Parts> = {};
  private readonly metrics: SpeedMetrics;

  constructor(
    private readonly config: Readonly<SpeedConfig>,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    super();
    this.metrics = new SpeedMetrics(registry);
  }

  protected async onStart(): Promise<void> {
    const { config, logger } = this;
    const parts = this.parts;
    parts.kafka = createKafka(config.kafka, { logger });
    parts.admin = parts.kafka.admin();
    await parts.admin.connect();
    const topics = await ensureTopics(parts.admin, [
      { topic: config.readingsTopic, numPartitions: config.readingsPartitions },
      { topic: config.deadLetterTopic, numPartitions: Math.max(1, Math.min(config.readingsPartitions, 3)) },
    ]);
    if (topics.underPartitioned.length > 0)
      logger.warn(
        { underPartitioned: topics.underPartitioned },
        'topic has fewer partitions than configured',
      );

    await ensureKeyspace(config.cassandra);
    parts.cassandra = createCassandra(config.cassandra, { readTimeoutMs: 5_000 });
    await parts.cassandra.connect();
    await ensureSpeedTable(parts.cassandra);
    // Few per-command retries: a dead Redis should fail the write fast so the handler's backoff takes over.
    parts.redis = createRedis(config.redis, { connectionName: 'lambda-iot-speed', maxRetriesPerRequest: 1 });
    parts.producer = createProducer(parts.kafka);
    await parts.producer.connect();

    const producer = parts.producer;
    const factory = new SpeedHandlerFactory({
      hotSinks: [
        new RedisWindowSink({
          redis: parts.redis,
          keyPrefix: config.redis.keyPrefix,
          ttlMs: config.redisTtlMs,
        }),
      ],
      durableSinks: [
        new CassandraWindowSink({ client: parts.cassandra, concurrency: config.cassandraConcurrency }),
      ],
      deadLetters: async (messages) => {
        await producer.send({ topic: config.deadLetterTopic, acks: ACKS_ALL, messages });
      },
      engine: { outOfOrdernessMs: config.outOfOrdernessMs, allowedLatenessMs: config.allowedLatenessMs },
      flushIntervalMs: config.flushIntervalMs,
      durableFlushIntervalMs: config.durableFlushIntervalMs,
      maxUnwrittenWindows: config.maxUnwrittenWindows,
      observer: this.metrics,
      logger: logger.child({ component: 'speed' }),
    });
    const runner = new ConsumerRunner({
      kafka: parts.kafka,
      groupId: config.groupId,
      topic: config.readingsTopic,
      factory,
      commitIntervalMs: config.commitIntervalMs,
      sessionTimeoutMs: config.sessionTimeoutMs,
      partitionsConsumedConcurrently: config.partitionsConcurrently,
      onError: (err, context) => {
        this.metrics.onError();
        logger.warn({ err, context }, 'consumer runner problem');
      },
    });
    parts.runner = runner;
    await runner.start();
    parts.status = new StatusPublisher({
      redis: parts.redis,
      keyPrefix: config.redis.keyPrefix,
      intervalMs: config.statusIntervalMs,
      stats: () => factory.stats(),
      lag: () => runner.partitionLag(),
      metrics: this.metrics,
      logger,
    });
    await parts.status.start();
    logger.info({ topic: config.readingsTopic, groupId: config.groupId }, 'speed layer consuming');
  }

  /** Intake stops first (the runner flushes and commits what it owns), then the clients go. */
  protected async onClose(): Promise<void> {
    const { parts, logger } = this;
    const step = async (what: string, fn: (() => Promise<unknown>) | undefined): Promise<void> => {
      if (fn === undefined) return;
      await fn().catch((err: unknown) => logger.warn({ err }, `closing ${what} failed`));
    };
    await step('status', parts.status && (() => parts.status!.close()));
    await step('consumer', parts.runner && (() => parts.runner!.close()));
    await step('producer', parts.producer && (() => parts.producer!.disconnect()));
    await step('admin', parts.admin && (() => parts.admin!.disconnect()));
    await step('redis', parts.redis && (() => parts.redis!.quit()));
    await step('cassandra', parts.cassandra && (() => parts.cassandra!.shutdown()));
  }

  healthChecks(): HealthCheck[] {
    const starting: HealthReport = { state: 'down', detail: 'starting' };
    return [
      {
        name: 'kafka',
        check: async () => {
          if (!this.parts.admin) return starting;
          await this.parts.admin.describeCluster();
          return { state: 'up' };
        },
      },
      {
        name: 'redis',
        check: async () => {
          if (!this.parts.redis) return starting;
          await this.parts.redis.ping();
          return { state: 'up' };
        },
      },
      {
        name: 'cassandra',
        check: async () => {
          if (!this.parts.cassandra) return starting;
          await this.parts.cassandra.execute('SELECT release_version FROM system.local');
          return { state: 'up' };
        },
      },
    ];
  }
}
