// Publishes each owned partition's status to Redis for the serving app, and refreshes the partition gauges.
import type { Redis } from 'ioredis';
import { LifecycleBase, type Logger } from '@lambda-iot/runtime';
import { partitionStatusKey, partitionStatusOf, type PartitionStats } from '@lambda-iot/speed-layer';
import type { SpeedMetrics } from './speed-metrics';

export interface StatusPublisherOptions {
  redis: Redis;
  keyPrefix: string;
  intervalMs: number;
  stats: () => PartitionStats[];
  lag: () => ReadonlyMap<number, number>;
  metrics: SpeedMetrics;
  logger: Logger;
  now?: () => number;
}

/** Fields of partitions owned elsewhere are left alone: each process writes only what it owns. */
export class StatusPublisher extends LifecycleBase {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly options: StatusPublisherOptions) {
    super();
  }

  protected async onStart(): Promise<void> {
    this.timer = setInterval(() => {
      this.inFlight = this.publish().catch((err: unknown) =>
        this.options.logger.warn({ err }, 'publishing partition status failed'),
      );
    }, this.options.intervalMs);
    this.timer.unref();
  }

  protected async onClose(): Promise<void> {
    clearInterval(this.timer);
    await this.inFlight;
    await this.publish().catch(() => undefined);
  }

  async publish(): Promise<void> {
    const stats = this.options.stats();
    const lag = this.options.lag();
    this.options.metrics.setPartitions(stats, lag);
    if (stats.length === 0) return;
    const now = (this.options.now ?? Date.now)();
    const fields: string[] = [];
    for (const s of stats)
      fields.push(String(s.partition), JSON.stringify(partitionStatusOf(s, lag.get(s.partition) ?? 0, now)));
    await this.options.redis.hset(partitionStatusKey(this.options.keyPrefix), ...fields);
  }
}
