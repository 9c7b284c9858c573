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
import { BaselineFitter, BaselineJob, FileBaselineStore } from '@lambda-iot/anomaly';
import { createRedis, redisOptions } from '@lambda-iot/connections';
import { RedisDeviceRegistry } from '@lambda-iot/devices';
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
import { BaselineJobs } from './baseline-jobs';

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
  if (config.anomaly.enabled) {
    const fitter = new BaselineFitter({
      threads: config.duckdbThreads,
      ...(config.duckdbMemoryLimit ? { memoryLimit: config.duckdbMemoryLimit } : {}),
    });
    const registry = new RedisDeviceRegistry({ redis, keyPrefix });
    // Closed after the worker (parts close last-first), so an in-flight fit finishes first.
    parts.push({ ready: Promise.resolve(), start: async () => undefined, close: () => fitter.close() });
    parts.push(
      new BaselineJobs({
        connection,
        queueName: config.anomaly.queueName,
        prefix: config.bullPrefix,
        schedule: config.anomaly.schedule,
        job: new BaselineJob({
          manifest: computer.manifest,
          root: config.archiveRoot,
          fitter,
          store: new FileBaselineStore({ redis, keyPrefix, root: config.archiveRoot }),
          deviceTypes: async () => {
            const types = new Map<string, string>();
            for (const d of await registry.list()) if (d.tags.type) types.set(d.deviceId, d.tags.type);
            return types;
          },
          days: config.anomaly.days,
          minSamples: config.anomaly.minSamples,
        }),
        onCompleted: (result, durationMs) => {
          metrics.jobs.labels('recompute-baselines', 'completed').inc();
          metrics.jobSeconds.labels('recompute-baselines').observe(durationMs / 1000);
          logger.info({ result, durationMs }, 'baseline published');
        },
        onFailed: (job, err) => {
          metrics.jobs.labels('recompute-baselines', 'failed').inc();
          logger.warn({ job: job?.id, attempts: job?.attemptsMade, err }, 'baseline job failed');
        },
        onError: report,
      }),
    );
  }
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
