// The `batch` BullMQ queue: job names, payloads, deterministic ids and the enqueue operations.
import { FlowProducer, Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { DAY_MS, HOUR_MS, utcDay, parseUtcDay } from '@lambda-iot/core';

export const JOB_NAMES = {
  recomputeHour: 'recompute-hour',
  rollupDay: 'rollup-day',
  compactHour: 'compact-hour',
} as const;

/** What a job would read, e.g. `gen:3`: a job that failed for good is enqueued again only once this changed. */
interface JobInputs {
  inputs?: string;
}
export interface RecomputeHourData extends JobInputs {
  hourStart: number;
}
export interface CompactHourData extends JobInputs {
  hourStart: number;
}
export interface RollupDayData extends JobInputs {
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

  async enqueueRecompute(hourStart: number, tag?: string, inputs?: string): Promise<string> {
    const id = recomputeJobId(hourStart, tag);
    await this.addReplacingFailed(id, JOB_NAMES.recomputeHour, withInputs({ hourStart }, inputs));
    return id;
  }

  async enqueueRollup(day: string, tag?: string, inputs?: string): Promise<string> {
    const id = rollupJobId(day, tag);
    await this.addReplacingFailed(id, JOB_NAMES.rollupDay, withInputs({ day }, inputs));
    return id;
  }

  async enqueueCompact(hourStart: number, inputs?: string): Promise<string> {
    const id = compactJobId(hourStart);
    await this.addReplacingFailed(id, JOB_NAMES.compactHour, withInputs({ hourStart }, inputs));
    return id;
  }

  /**
   * A job that exhausted its attempts stays failed (it shows in `batch status`, and the boundary waits at its
   * hour) while its inputs are unchanged: enqueueing it again would fail the same way, forever. New inputs
   * (a file written into the hour, another hour version for a day) replace it with a fresh job; so does an
   * enqueue that names no inputs, such as an operator's.
   */
  private async addReplacingFailed(id: string, name: string, data: BatchJobData): Promise<void> {
    const existing = await this.queue.getJob(id);
    if (existing !== undefined && (await existing.isFailed())) {
      if (data.inputs !== undefined && existing.data.inputs === data.inputs) return;
      await existing.remove();
    }
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

function withInputs<T extends BatchJobData>(data: T, inputs: string | undefined): T {
  return inputs === undefined ? data : { ...data, inputs };
}

export function dayStartOfJob(data: RollupDayData): number {
  return parseUtcDay(data.day);
}
