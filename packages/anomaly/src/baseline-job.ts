// One baseline recompute: the last N days of the published 1m batch view → DuckDB fit → new artifact + pointer.
import { DAY_MS, HOUR_MS } from '@lambda-iot/core';
import type { BatchManifest } from '@lambda-iot/batch-layer';
import { minuteFilesFor, type BaselineFitter } from './baseline-fitter';
import { newBaselineVersion, type BaselineStore } from './baseline-store';

/** BullMQ names shared by the batch app (worker, daily scheduler) and the CLI (on demand). */
export const BASELINE_QUEUE = 'anomaly';
export const RECOMPUTE_BASELINES_JOB = 'recompute-baselines';

/** Retries and retention of a recompute job (what BullMQ's `add` takes as options). */
export const RECOMPUTE_BASELINES_OPTIONS = Object.freeze({
  attempts: 3,
  backoff: Object.freeze({ type: 'exponential', delay: 10_000 }),
  removeOnComplete: 100,
  removeOnFail: 100,
});

/** One on-demand run per minute at most: enqueueing again while one waits is a no-op. */
export function recomputeBaselinesJobId(now: number): string {
  return `${RECOMPUTE_BASELINES_JOB}-${Math.floor(now / 60_000)}`;
}

export interface BaselineJobOptions {
  manifest: Pick<BatchManifest, 'hourEntries'>;
  /** ARCHIVE_ROOT: where the batch view files are. */
  root: string;
  fitter: BaselineFitter;
  store: BaselineStore;
  /** Device id → type tag, from the device registry at fit time. */
  deviceTypes: () => Promise<ReadonlyMap<string, string>>;
  days: number;
  minSamples: number;
  now?: () => number;
}

export interface BaselineJobResult {
  version: string;
  files: number;
  series: number;
  types: number;
  from: number;
  to: number;
}

export class BaselineJob {
  constructor(private readonly options: BaselineJobOptions) {}

  /** Fits over whole hours [now − days, current hour start) and publishes the result as a new version. */
  async run(): Promise<BaselineJobResult> {
    const o = this.options;
    const fittedAt = (o.now ?? Date.now)();
    const to = Math.floor(fittedAt / HOUR_MS) * HOUR_MS;
    const from = to - o.days * DAY_MS;
    const [files, deviceTypes] = await Promise.all([
      minuteFilesFor(o.manifest, o.root, from, to),
      o.deviceTypes(),
    ]);
    const model = await o.fitter.fit({
      files,
      version: newBaselineVersion(fittedAt),
      fittedAt,
      from,
      to,
      days: o.days,
      minSamples: o.minSamples,
      deviceTypes,
    });
    await o.store.publish(model);
    return {
      version: model.version,
      files: files.length,
      series: Object.keys(model.series).length,
      types: Object.keys(model.types).length,
      from,
      to,
    };
  }
}
