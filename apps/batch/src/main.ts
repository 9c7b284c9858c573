// Batch app entry point: BullMQ workers, the scheduler and garbage collection, until a signal.
import {
  ArchiveCompactor,
  BatchComputer,
  BatchQueue,
  BatchScheduler,
  BatchWorker,
  RedisBatchBoundary,
  VersionCollector,
} from '@lambda-iot/batch-layer';
import { createRedis, redisOptions } from '@lambda-iot/connections';
import { createKafka } from '@lambda-iot/kafka';
import {
  createLogger,
  createMetricsRegistry,
  OpsServer,
  runUntilSignal,
  type Lifecycle,
} from '@lambda-iot/runtime';
import { loadConfig } from './config';
import { BatchMetrics } from './batch-metrics';
import { ArchiverOffsets } from './archiver-offsets';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ name: 'batch', level: config.logLevel });
  const registry = createMetricsRegistry({ app: 'batch' });
  const metrics = new BatchMetrics(registry);
  // BullMQ blocks on Redis commands, so its connections never give up on a request.
  const connection = redisOptions(config.redis, {
    maxRetriesPerRequest: null,
    connectionName: 'batch-bullmq',
  });
  const redis = createRedis(config.redis, { maxRetriesPerRequest: null, connectionName: 'batch' });
  const keyPrefix = config.redis.keyPrefix;
  const computer = new BatchComputer({
    root: config.archiveRoot,
    redis,
    keyPrefix,
    threads: config.duckdbThreads,
    ...(config.duckdbMemoryLimit ? { memoryLimit: config.duckdbMemoryLimit } : {}),
  });
  const boundary = new RedisBatchBoundary(redis, keyPrefix);
  const offsets = config.compact
    ? new ArchiverOffsets(createKafka(config.kafka, { logger }), config.archiverGroupId, config.readingsTopic)
    : undefined;
  const compactor = offsets
    ? new ArchiveCompactor({
        root: config.archiveRoot,
        computer,
        committedOffsets: () => offsets.committed(),
      })
    : undefined;
  const report = (err: unknown, context: string): void => {
    metrics.errors.labels(context).inc();
    logger.error({ err, context }, 'batch error');
  };
  const worker = new BatchWorker({
    connection,
    queueName: config.queueName,
    prefix: config.bullPrefix,
    computer,
    boundary,
    ...(compactor ? { compactor } : {}),
    concurrency: config.concurrency,
    lockDurationMs: config.lockDurationMs,
    onCompleted: (job, result, durationMs) => {
      metrics.jobs.labels(job.name, 'completed').inc();
      metrics.jobSeconds.labels(job.name).observe(durationMs / 1000);
      if ('rows1m' in result) metrics.rows.inc(result.rows1m);
      logger.info({ job: job.id, name: job.name, result, durationMs }, 'job completed');
    },
    onFailed: (job, err) => {
      metrics.jobs.labels(job?.name ?? 'unknown', 'failed').inc();
      logger.warn({ job: job?.id, name: job?.name, attempts: job?.attemptsMade, err }, 'job failed');
    },
    onError: report,
  });
  const queue = new BatchQueue({ connection, name: config.queueName, prefix: config.bullPrefix });
  const parts: Lifecycle[] = [];
  const resources: Lifecycle = {
    ready: Promise.resolve(),
    start: async () => undefined,
    close: async () => {
      await queue.close();
      await computer.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
  parts.push(resources);
  if (offsets) parts.push(offsets);
  parts.push(
    new OpsServer({
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
    }),
  );
  parts.push(worker);
  if (config.scheduler) {
    parts.push(
      new BatchScheduler({
        redis,
        keyPrefix,
        queue,
        manifest: computer.manifest,
        boundary,
        collector: new VersionCollector({
          root: config.archiveRoot,
          redis,
          keyPrefix,
          graceMs: config.gcGraceMs,
        }),
        intervalMs: config.scheduleIntervalMs,
        ...(compactor
          ? {
              compactMinFiles: config.compactMinFiles,
              countFiles: async (h: number) => (await compactor.listHour(h)).length,
            }
          : {}),
        onTick: (plan) => {
          if (plan.recompute.length + plan.rollup.length > 0) logger.info(plan, 'scheduled');
          void boundary.readBoundary().then((b) => metrics.boundary.set(b));
        },
        onError: report,
      }),
    );
  }
  logger.info({ root: config.archiveRoot, queue: config.queueName }, 'batch starting');
  await runUntilSignal(parts, { logger });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
