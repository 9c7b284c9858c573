// Enqueues the work the archive's state calls for: sealed or changed hours, complete days, and collects garbage.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DAY_MS, HOUR_MS, utcDay } from '@lambda-iot/core';
import { layerKeys, type LayerKeys } from '@lambda-iot/archive';
import type { BatchQueue } from './batch-queue';
import type { BatchManifest } from './batch-manifest';
import type { RedisBatchBoundary } from './batch-boundary';
import type { VersionCollector } from './version-collector';
import {
  dayStartOf,
  hoursOfDay,
  isDayCurrent,
  isHourCurrent,
  type DayEntry,
  type HourEntry,
} from './manifest';

export interface SchedulePlan {
  recompute: number[];
  rollup: number[];
}

export interface ScheduleInputs {
  hours: readonly number[];
  generations: ReadonlyMap<number, number>;
  dirty: ReadonlySet<number>;
  sealedThrough: number;
  published: ReadonlyMap<number, HourEntry>;
  days: ReadonlyMap<number, DayEntry>;
}

/**
 * What to enqueue: every sealed hour whose published version is missing or older than its archive generation,
 * and every dirty hour; every sealed day whose hours are all current and whose 1d rollup is missing or stale.
 */
export function planSchedule(inputs: ScheduleInputs): SchedulePlan {
  const recompute = new Set<number>();
  for (const h of inputs.hours) {
    if (h + HOUR_MS > inputs.sealedThrough) continue;
    if (!isHourCurrent(inputs.published.get(h), inputs.generations.get(h) ?? 0)) recompute.add(h);
  }
  for (const h of inputs.dirty) recompute.add(h);
  const rollup: number[] = [];
  const days = new Set(inputs.hours.map(dayStartOf));
  for (const d of days) {
    if (d + DAY_MS > inputs.sealedThrough) continue;
    const dayHours = new Map<number, HourEntry>();
    let complete = true;
    for (const h of hoursOfDay(d)) {
      const e = inputs.published.get(h);
      if (e !== undefined) dayHours.set(h, e);
      if (inputs.generations.has(h) && (recompute.has(h) || e === undefined)) complete = false;
    }
    if (complete && !isDayCurrent(inputs.days.get(d), d, dayHours)) rollup.push(d);
  }
  return { recompute: [...recompute].sort((a, b) => a - b), rollup: rollup.sort((a, b) => a - b) };
}

export interface BatchSchedulerOptions {
  redis: Redis;
  keyPrefix: string;
  queue: BatchQueue;
  manifest: BatchManifest;
  boundary: RedisBatchBoundary;
  collector?: VersionCollector;
  /** Enqueue compact-hour before recomputing an hour holding at least this many files; off when absent. */
  compactMinFiles?: number;
  /** Counts an hour's archive files (the compactor's lister); needed with compactMinFiles. */
  countFiles?: (hourStart: number) => Promise<number>;
  intervalMs: number;
  onTick?: (plan: SchedulePlan) => void;
  onError?: (err: unknown, context: string) => void;
}

/** An interval loop (one tick at a time); deterministic job ids make concurrent schedulers harmless. */
export class BatchScheduler {
  private readonly keys: LayerKeys;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: BatchSchedulerOptions) {
    this.keys = layerKeys(options.keyPrefix);
  }

  get ready(): Promise<void> {
    return Promise.resolve();
  }

  async start(): Promise<void> {
    this.schedule(0);
  }

  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: read the state, enqueue what it calls for, collect garbage, refresh the boundary. */
  async tick(): Promise<SchedulePlan> {
    const k = this.keys;
    const [hours, gens, dirty, sealed, manifest] = await Promise.all([
      this.options.redis.smembers(k.hours),
      this.options.redis.hgetall(k.hourGenerations),
      this.options.redis.zrange(k.dirtyHours, 0, -1),
      this.options.redis.get(k.sealedThrough),
      this.options.manifest.all(),
    ]);
    const generations = new Map(Object.entries(gens).map(([h, g]) => [Number(h), Number(g)]));
    const plan = planSchedule({
      hours: hours.map(Number),
      generations,
      dirty: new Set(dirty.map(Number)),
      sealedThrough: sealed === null ? -1 : Number(sealed),
      published: manifest.hours,
      days: manifest.days,
    });
    const { compactMinFiles, countFiles } = this.options;
    for (const h of plan.recompute) {
      const inputs = `gen:${generations.get(h) ?? 0}`;
      if (compactMinFiles !== undefined && countFiles && (await countFiles(h)) >= compactMinFiles) {
        await this.options.queue.enqueueCompact(h, inputs);
      }
      await this.options.queue.enqueueRecompute(h, undefined, inputs);
    }
    for (const d of plan.rollup) {
      const versions = hoursOfDay(d).map((h) => manifest.hours.get(h)?.version ?? '');
      const inputs = `hours:${createHash('sha1').update(versions.join(',')).digest('hex')}`;
      await this.options.queue.enqueueRollup(utcDay(d), undefined, inputs);
    }
    await this.options.collector?.collect();
    await this.options.boundary.refresh();
    this.options.onTick?.(plan);
    return plan;
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((err: unknown) => this.options.onError?.(err, 'scheduler tick'))
        .finally(() => this.schedule(this.options.intervalMs));
    }, delay);
    this.timer.unref();
  }
}
