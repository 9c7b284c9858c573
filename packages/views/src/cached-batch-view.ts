// Batch-view answers cached by the version of the data they were read from: published versions never change.
import type { Resolution } from '@lambda-iot/core';
import { LruCache } from './lru-cache';
import type { BatchView, FleetView, FleetWindow, SeriesKey, WindowPoint } from './series-view';

/**
 * A token naming the published data that answers [from, to) at `resolution` (e.g. the manifest's file
 * versions for those hours). It must change whenever the answer may change.
 */
export type BatchVersionOf = (resolution: Resolution, from: number, to: number) => Promise<string>;

export interface CachedBatchViewOptions {
  view: BatchView & FleetView;
  versionOf: BatchVersionOf;
  /** Bound on the windows held across all cached answers (an empty answer weighs 1). */
  maxPoints: number;
  /** Told about every series read: served from the cache or not. */
  onLookup?: (hit: boolean) => void;
}

/**
 * Series reads are cached under (series, resolution, range, version); fleet reads pass through. An answer is
 * cached only when the version was the same before and after it was read, so a publish racing the read can
 * never leave newer data under an older version. Concurrent misses of one key share one read. Cached answers
 * are shared and frozen: callers must not modify them (the merge copies what it combines).
 */
export class CachedBatchView implements BatchView, FleetView {
  readonly source = 'batch' as const;
  private readonly cache: LruCache<string, readonly WindowPoint[]>;
  private readonly inFlight = new Map<string, Promise<WindowPoint[]>>();

  constructor(private readonly options: CachedBatchViewOptions) {
    this.cache = new LruCache(options.maxPoints, (points) => points.length);
  }

  /** Points held by the cache. */
  get cachedPoints(): number {
    return this.cache.weight;
  }

  async readSeries(key: SeriesKey, resolution: Resolution, from: number, to: number): Promise<WindowPoint[]> {
    const version = await this.options.versionOf(resolution, from, to);
    const id = `${key.deviceId}|${key.metric}|${resolution}|${from}|${to}|${version}`;
    const hit = this.cache.get(id);
    if (hit !== undefined) {
      this.options.onLookup?.(true);
      return hit as WindowPoint[];
    }
    this.options.onLookup?.(false);
    let read = this.inFlight.get(id);
    if (read === undefined) {
      read = this.readAndKeep(id, version, key, resolution, from, to).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, read);
    }
    return read;
  }

  readFleet(metric: string, resolution: Resolution, from: number, to: number): Promise<FleetWindow[]> {
    return this.options.view.readFleet(metric, resolution, from, to);
  }

  private async readAndKeep(
    id: string,
    version: string,
    key: SeriesKey,
    resolution: Resolution,
    from: number,
    to: number,
  ): Promise<WindowPoint[]> {
    const points = await this.options.view.readSeries(key, resolution, from, to);
    if ((await this.options.versionOf(resolution, from, to)) === version) {
      for (const p of points) {
        Object.freeze(p.aggregate);
        Object.freeze(p);
      }
      this.cache.set(id, Object.freeze(points));
    }
    return points;
  }
}
