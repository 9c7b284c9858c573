// The speed app's parts wired together: topics, keyspace and table, the sinks, the consumer group, the status.
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Client } from 'cassandra-driver';
import type { Registry } from 'prom-client';
import {
  AlertPublisher,
  alertRecord,
  AnomalyDetector,
  BaselineWatcher,
  CassandraAlertStore,
  ensureAlertsTable,
  FileBaselineStore,
  RedisAlertStore,
  RedisOnlineBaselineStore,
} from '@lambda-iot/anomaly';
import { createCassandra, createRedis, ensureKeyspace } from '@lambda-iot/connections';
import { ACKS_ALL, ConsumerRunner, createKafka, createProducer, ensureTopics } from '@lambda-iot/kafka';
import { LifecycleBase, type HealthCheck, type HealthReport, type Logger } from '@lambda-iot/runtime';
import {
  CassandraWindowSink,
  ensureSpeedTable,
  RedisWindowSink,
  SpeedHandlerFactory,
  type SpeedHandlerOptions,
} from '@lambda-iot/speed-layer';
import { AnomalyHandlerFactory } from './anomaly-handler-factory';
import { AnomalyMetrics } from './anomaly-metrics';
import { AnomalyScoringSink } from './anomaly-scoring-sink';
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
  baseline: BaselineWatcher;
}

export class SpeedApp extends LifecycleBase {
  private parts: Partial<Parts> = {};
  private readonly metrics: SpeedMetrics;
  private readonly anomalyMetrics: AnomalyMetrics;

  constructor(
    private readonly config: Readonly<SpeedConfig>,
    private readonly logger: Logger,
    registry: Registry,
  ) {
    super();
    this.metrics = new SpeedMetrics(registry);
    this.anomalyMetrics = new AnomalyMetrics(registry);
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
      ...(config.anomaly.enabled
        ? [{ topic: config.anomaly.alertsTopic, numPartitions: config.anomaly.alertsPartitions }]
        : []),
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
    if (config.anomaly.enabled) await ensureAlertsTable(parts.cassandra);
    // Few per-command retries: a dead Redis should fail the write fast so the handler's backoff takes over.
    parts.redis = createRedis(config.redis, { connectionName: 'lambda-iot-speed', maxRetriesPerRequest: 1 });
    parts.producer = createProducer(parts.kafka);
    await parts.producer.connect();

    const producer = parts.producer;
    const speedOptions: SpeedHandlerOptions = {
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
    };
    const factory = config.anomaly.enabled
      ? await this.anomalyFactory(speedOptions)
      : new SpeedHandlerFactory(speedOptions);
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

  /**
   * The speed handlers plus a scoring sink per partition. The baseline is loaded before consuming and
   * hot-reloaded when the Redis pointer moves; a partition's detector re-adopts the alerts open in Redis, so
   * an anomaly that persists across a restart or a rebalance keeps its alert id, and the online baselines of
   * series without history, so they are scored at once instead of relearning for half an hour.
   */
  private async anomalyFactory(speed: SpeedHandlerOptions): Promise<AnomalyHandlerFactory> {
    const { config, logger, parts, anomalyMetrics } = this;
    const redis = parts.redis!;
    const producer = parts.producer!;
    const a = config.anomaly;
    parts.baseline = new BaselineWatcher({
      store: new FileBaselineStore({ redis, keyPrefix: config.redis.keyPrefix, root: a.archiveRoot }),
      intervalMs: a.baselinePollMs,
      onLoaded: (model) => {
        anomalyMetrics.onBaseline(model);
        logger.info({ version: model.version, series: Object.keys(model.series).length }, 'baseline loaded');
      },
      onError: (err) => {
        anomalyMetrics.errors.inc({ context: 'baseline' });
        logger.warn({ err }, 'baseline not loaded; keeping the one in use');
      },
    });
    await parts.baseline.start();
    const watcher = parts.baseline;
    const hot = new RedisAlertStore({ redis, keyPrefix: config.redis.keyPrefix });
    const publisher = new AlertPublisher({
      produce: async (events) => {
        await producer.send({ topic: a.alertsTopic, acks: ACKS_ALL, messages: events.map(alertRecord) });
      },
      stores: [new CassandraAlertStore({ client: parts.cassandra! }), hot],
    });
    const onlineStoreFor = (partition: number) =>
      new RedisOnlineBaselineStore({
        redis,
        keyPrefix: config.redis.keyPrefix,
        partition,
        onInvalid: (err) => {
          anomalyMetrics.errors.inc({ context: 'online-restore' });
          logger.warn({ err, partition }, 'online baseline entry skipped; that series relearns');
        },
      });
    return new AnomalyHandlerFactory({
      speed,
      sinkFor: async (partition) => {
        const detector = new AnomalyDetector({ config: a.detector, baseline: () => watcher.current() });
        const online = onlineStoreFor(partition);
        // Both restores read Redis: run together, an unreachable Redis delays the partition's opening by one failed
        // round, not one per restore (the runner heartbeats meanwhile, so the member stays in the group).
        const [alerts, baselines] = await Promise.allSettled([hot.openAlerts(), online.load()]);
        const notRestored = (context: string, err: unknown, consequence: string): void => {
          anomalyMetrics.errors.inc({ context });
          logger.warn({ err, partition }, consequence);
        };
        if (alerts.status === 'fulfilled') detector.restore(alerts.value);
        else
          notRestored(
            'restore',
            alerts.reason,
            'open alerts not restored; a persisting anomaly may open a new alert',
          );
        if (baselines.status === 'fulfilled') detector.restoreOnline(baselines.value);
        else
          notRestored(
            'online-restore',
            baselines.reason,
            'online baselines not restored; series without history relearn theirs',
          );
        return new AnomalyScoringSink({
          detector,
          publish: (events) => publisher.publish(events),
          onEvents: (events) => anomalyMetrics.onEvents(events),
          onlineStore: online,
          scoreAt: config.anomaly.scoreAt,
          outOfOrdernessMs: config.outOfOrdernessMs,
        });
      },
    });
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
    await step('baseline', parts.baseline && (() => parts.baseline!.close()));
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
