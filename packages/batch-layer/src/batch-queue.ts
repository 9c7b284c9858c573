// The `batch` BullMQ queue: job names, payloads, deterministic ids and the enqueue operations.
import { FlowProducer, Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { DAY_MS, HOUR_MS, utcDay, parseUtcDay } from '@lambda-iot/core';

export const JOB_NAMES = {
  recomputeHour: 'recompute-hour',
  rollupDay: 'rollup-day',
  compactHour: 'compact-hour',
} as const;

export interface RecomputeHourData {
  hourStart: number;
}
export interface CompactHourData {
  hourStart: number;
}
export interface RollupDayData {
  /** UTC date 'YYYY-MM-DD'. */
  day: string;
}
export type BatchJobData = RecomputeHourData | RollupDayData | CompactHourData;

export interface BatchQueueOptions {
  connection: ConnectionOptions;
  /** Queue name; 'batch' in production, unique per test. */
  name: string;
  /** BullMQ key prefix in Redis. */
  prefix: string;
  attempts?: number;
  backoffMs?: number;
}

/**
 * Completed jobs are removed so a deterministic id can be enqueued again later (an hour that becomes dirty
 * again); while one is waiting or running, adding the same id again is a no-op, which collapses duplicates.
 * Failed jobs are kept a week for `batch status`.
 */
export function jobOptions(
  jobId: string,
  options: Pick<BatchQueueOptions, 'attempts' | 'backoffMs'>,
): JobsOptions {
  return {
    jobId,
    attempts: options.attempts ?? 5,
    backoff: { type: 'exponential', delay: options.backoffMs ?? 2_000 },
    removeOnComplete: true,
    removeOnFail: { age: 7 * 86_400 },
  };
}

/** Ids must not contain ':' (BullMQ) and must say what they are. */
export function recomputeJobId(hourStart: number, tag?: string): string {
  return `${tag ? `${tag}-` : ''}recompute-hour-${hourStart}`;
}

export function compactJobId(hourStart: number): string {
  return `compact-hour-${hourStart}`;
}

export function rollupJobId(day: string, tag?: string): string {
  return `${tag ? `${tag}-` : ''}rollup-day-${day}`;
}

export class BatchQueue {
  readonly queue: Queue<BatchJobData>;
  private flows: FlowProducer | undefined;

  constructor(private readonly options: BatchQueueOptions) {
    this.queue = new Queue<BatchJobData>(options.name, {
      connection: options.connection,
      prefix: options.prefix,
    });
  }

  async enqueueRecompute(hourStart: number, tag?: string): Promise<string> {
    const id = recomputeJobId(hourStart, tag);
    await this.addReplacingFailed(id, JOB_NAMES.recomputeHour, { hourStart });
    return id;
  }

  async enqueueRollup(day: string, tag?: string): Promise<string> {
    const id = rollupJobId(day, tag);
    await this.addReplacingFailed(id, JOB_NAMES.rollupDay, { day });
    return id;
  }

  async enqueueCompact(hourStart: number): Promise<string> {
    const id = compactJobId(hourStart);
    await this.addReplacingFailed(id, JOB_NAMES.compactHour, { hourStart });
    return id;
  }

  /** A job that exhausted its retries would block its id for a week; the scheduler's next call tries afresh. */
  private async addReplacingFailed(id: string, name: string, data: BatchJobData): Promise<void> {
    const existing = await this.queue.getJob(id);
    if (existing !== undefined && (await existing.isFailed())) await existing.remove();
    await this.queue.add(name, data, jobOptions(id, this.options));
  }

  /**
   * A backfill of [from, to): one flow per UTC day, whose rollup-day runs after all that day's recompute-hour
   * children succeeded (a failed child fails the rollup). `tag` makes the ids unique to this request.
   */
  async enqueueBackfill(from: number, to: number, tag: string): Promise<Array<{ id: string; name: string }>> {
    this.flows ??= new FlowProducer({ connection: this.options.connection, prefix: this.options.prefix });
    const jobs: Array<{ id: string; name: string }> = [];
    const firstHour = Math.floor(from / HOUR_MS) * HOUR_MS;
    for (let day = Math.floor(firstHour / DAY_MS) * DAY_MS; day < to; day += DAY_MS) {
      const children = [];
      for (let h = Math.max(day, firstHour); h < Math.min(day + DAY_MS, to); h += HOUR_MS) {
        const id = recomputeJobId(h, tag);
        children.push({
          name: JOB_NAMES.recomputeHour,
          queueName: this.options.name,
          data: { hourStart: h },
          opts: { ...jobOptions(id, this.options), failParentOnFailure: true, removeOnComplete: false },
        });
        jobs.push({ id, name: JOB_NAMES.recomputeHour });
      }
      const dayName = utcDay(day);
      const id = rollupJobId(dayName, tag);
      await this.flows.add({
        name: JOB_NAMES.rollupDay,
        queueName: this.options.name,
        data: { day: dayName },
        opts: { ...jobOptions(id, this.options), removeOnComplete: false },
        children,
      });
      jobs.push({ id, name: JOB_NAMES.rollupDay });
    }
    return jobs;
  }

  async close(): Promise<void> {
    await this.flows?.close();
    await this.queue.close();
  }
}

export function dayStartOfJob(data: RollupDayData): number {
  return parseUtcDay(data.day);
}
