// BullMQ worker running batch jobs: recompute-hour and rollup-day, then the boundary and the manifest mirror.
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { isLambdaIotError } from '@lambda-iot/core';
import type { BatchComputer, DayResult, HourResult } from './batch-computer';
import type { ArchiveCompactor, CompactionResult } from './archive-compactor';
import type { RedisBatchBoundary } from './batch-boundary';
import {
  JOB_NAMES,
  dayStartOfJob,
  type BatchJobData,
  type CompactHourData,
  type RecomputeHourData,
  type RollupDayData,
} from './batch-queue';

export interface BatchWorkerOptions {
  connection: ConnectionOptions;
  queueName: string;
  prefix: string;
  computer: BatchComputer;
  /** Runs compact-hour jobs; without it they fail as unsupported. */
  compactor?: ArchiveCompactor;
  boundary: RedisBatchBoundary;
  concurrency?: number;
  /** How long a job's lock lives without renewal; a killed worker's job is retried after about this. */
  lockDurationMs?: number;
  onCompleted?: (
    job: Job<BatchJobData>,
    result: HourResult | DayResult | CompactionResult,
    durationMs: number,
  ) => void;
  onFailed?: (job: Job<BatchJobData> | undefined, err: Error) => void;
  onError?: (err: unknown, context: string) => void;
}

export class BatchWorker {
  private worker: Worker<BatchJobData, HourResult | DayResult | CompactionResult> | undefined;
  private readonly readyPromise: Promise<void>;
  private markReady!: () => void;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BatchWorkerOptions) {
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
  }

  get ready(): Promise<void> {
    return this.readyPromise;
  }

  async start(): Promise<void> {
    if (this.worker) return;
    const o = this.options;
    this.worker = new Worker<BatchJobData, HourResult | DayResult | CompactionResult>(
      o.queueName,
      (job) => this.process(job),
      {
        connection: o.connection,
        prefix: o.prefix,
        concurrency: o.concurrency ?? 1,
        lockDuration: o.lockDurationMs ?? 30_000,
        stalledInterval: Math.max(1_000, Math.floor((o.lockDurationMs ?? 30_000) / 2)),
        maxStalledCount: 3,
      },
    );
    this.worker.on('failed', (job, err) => o.onFailed?.(job, err));
    this.worker.on('error', (err) => o.onError?.(err, 'bullmq worker'));
    await this.worker.waitUntilReady();
    this.markReady();
  }

  /** Finishes running jobs (BullMQ waits for them), then disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.worker?.close();
    })();
    return this.closing;
  }

  private async process(job: Job<BatchJobData>): Promise<HourResult | DayResult | CompactionResult> {
    const started = Date.now();
    const progress = (p: number): Promise<void> => job.updateProgress(p);
    let result: HourResult | DayResult | CompactionResult;
    try {
      if (job.name === JOB_NAMES.recomputeHour) {
        result = await this.options.computer.recomputeHour(
          (job.data as RecomputeHourData).hourStart,
          progress,
        );
      } else if (job.name === JOB_NAMES.rollupDay) {
        result = await this.options.computer.rollupDay(dayStartOfJob(job.data as RollupDayData), progress);
      } else if (job.name === JOB_NAMES.compactHour && this.options.compactor) {
        result = await this.options.compactor.compactHour((job.data as CompactHourData).hourStart, progress);
      } else {
        throw new UnrecoverableError(`unsupported job ${job.name}`);
      }
    } catch (err) {
      // Bad input cannot succeed on a retry; everything else (disk, Redis, DuckDB memory) might.
      if (isLambdaIotError(err) && !err.retriable) throw new UnrecoverableError(err.message);
      throw err;
    }
    // Compaction changes files, not data: only publications move the boundary and the manifest.
    if (job.name !== JOB_NAMES.compactHour) await this.refreshAfterPublish();
    this.options.onCompleted?.(job, result, Date.now() - started);
    return result;
  }

  private async refreshAfterPublish(): Promise<void> {
    await this.options.boundary.refresh();
    await this.options.computer.manifest
      .writeMirror()
      .catch((err: unknown) => this.options.onError?.(err, 'manifest mirror'));
  }
}
