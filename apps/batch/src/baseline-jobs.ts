// The `recompute-baselines` BullMQ job: a daily job scheduler plus on-demand runs, fitting and publishing baselines.
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import {
  RECOMPUTE_BASELINES_JOB,
  RECOMPUTE_BASELINES_OPTIONS,
  recomputeBaselinesJobId,
  type BaselineJob,
  type BaselineJobResult,
} from '@lambda-iot/anomaly';
import { LifecycleBase } from '@lambda-iot/runtime';

export const RECOMPUTE_BASELINES = RECOMPUTE_BASELINES_JOB;
export const DAILY_SCHEDULER_ID = 'recompute-baselines-daily';

export interface BaselineJobsOptions {
  connection: ConnectionOptions;
  /** Queue name ('anomaly'); a queue of its own, so a long fit never delays the batch view's hours. */
  queueName: string;
  prefix: string;
  job: BaselineJob;
  /** Cron pattern (UTC) of the daily run; undefined: on demand only. */
  schedule: string | undefined;
  /** How long a job's lock lives without renewal; a killed worker's job is retried after about this. */
  lockDurationMs?: number;
  onCompleted?: (result: BaselineJobResult, durationMs: number) => void;
  onFailed?: (job: Job | undefined, err: Error) => void;
  onError?: (err: unknown, context: string) => void;
}

/** Enqueues one recompute now; while one waits, enqueueing again is a no-op (same id per minute). */
export async function enqueueBaselineRecompute(queue: Queue, now = Date.now()): Promise<string> {
  const id = recomputeBaselinesJobId(now);
  await queue.add(RECOMPUTE_BASELINES, {}, { ...RECOMPUTE_BASELINES_OPTIONS, jobId: id });
  return id;
}

export class BaselineJobs extends LifecycleBase {
  private queue: Queue | undefined;
  private worker: Worker | undefined;

  constructor(private readonly options: BaselineJobsOptions) {
    super();
  }

  protected async onStart(): Promise<void> {
    const o = this.options;
    this.queue = new Queue(o.queueName, { connection: o.connection, prefix: o.prefix });
    if (o.schedule !== undefined)
      await this.queue.upsertJobScheduler(
        DAILY_SCHEDULER_ID,
        { pattern: o.schedule, tz: 'UTC' },
        {
          name: RECOMPUTE_BASELINES,
          data: {},
          opts: RECOMPUTE_BASELINES_OPTIONS,
        },
      );
    else await this.queue.removeJobScheduler(DAILY_SCHEDULER_ID);
    this.worker = new Worker(
      o.queueName,
      async (job: Job) => {
        if (job.name !== RECOMPUTE_BASELINES) throw new Error(`unsupported job ${job.name}`);
        const started = Date.now();
        const result = await o.job.run();
        o.onCompleted?.(result, Date.now() - started);
        return result;
      },
      {
        connection: o.connection,
        prefix: o.prefix,
        concurrency: 1,
        lockDuration: o.lockDurationMs ?? 60_000,
      },
    );
    this.worker.on('failed', (job, err) => o.onFailed?.(job, err));
    this.worker.on('error', (err) => o.onError?.(err, 'baseline worker'));
    await this.worker.waitUntilReady();
  }

  /** Runs a recompute as soon as the worker is free. */
  async enqueueNow(): Promise<string> {
    if (!this.queue) throw new Error('baseline jobs not started');
    return enqueueBaselineRecompute(this.queue);
  }

  protected async onClose(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }
}
