// Speed-view answers reused for a short time: many analysts (or one dashboard) polling a series read it once.
import type { Resolution } from '@lambda-iot/core';
import { LruCache } from './lru-cache';
import type { SeriesKey, SpeedView, WindowPoint } from './series-view';

export interface RecentSpeedViewOptions {
  view: SpeedView;
  /** How long an answer is reused: answers above B are at most this much (plus one read) older than the store. */
  maxAgeMs: number;
  /** Bound on the windows held across all kept answers. */
  maxPoints: number;
  now?: () => number;
}

/**
 * Identical reads within `maxAgeMs` of each other share one store read, and concurrent identical reads
 * always do. The speed layer itself writes Redis every few hundred ms, so a maxAgeMs of that order keeps
 * freshness of the same order while one read serves every poller of the series. Kept answers are frozen
 * and shared: callers must not modify them.
 */
export class RecentSpeedView implements SpeedView {
  readonly source = 'speed' as const;
  private readonly kept: LruCache<string, { at: number; points: readonly WindowPoint[] }>;
  private readonly inFlight = new Map<string, Promise<WindowPoint[]>>();
  private readonly now: () => number;

  constructor(private readonly options: RecentSpeedViewOptions) {
    this.kept = new LruCache(options.maxPoints, (e) => e.points.length);
    this.now = options.now ?? Date.now;
  }

  async readSeries(key: SeriesKey, resolution: Resolution, from: number, to: number): Promise<WindowPoint[]> {
    const id = `${key.deviceId}|${key.metric}|${resolution}|${from}|${to}`;
    const kept = this.kept.get(id);
    if (kept !== undefined && this.now() - kept.at < this.options.maxAgeMs)
      return kept.points as WindowPoint[];
    let read = this.inFlight.get(id);
    if (read === undefined) {
      read = this.readAndKeep(id, key, resolution, from, to).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, read);
    }
    return read;
  }

  private async readAndKeep(
    id: string,
    key: SeriesKey,
    resolution: Resolution,
    from: number,
    to: number,
  ): Promise<WindowPoint[]> {
    const points = await this.options.view.readSeries(key, resolution, from, to);
    // Aged from when the answer arrived: under load a read can outlast maxAgeMs, and an answer already too
    // old on arrival would make every request read the store again, which is what made the load worse.
    const at = this.now();
    if (this.options.maxAgeMs > 0) {
      const previous = this.kept.get(id)?.points;
      // The same windows as last time (a view handing out settled windows by identity): keep the old list,
      // so everything derived from it downstream (merged points, response bytes) is reused too.
      if (previous !== undefined && sameWindows(previous, points)) {
        this.kept.set(id, { at, points: previous });
        return previous as WindowPoint[];
      }
      for (const p of points) {
        Object.freeze(p.aggregate);
        Object.freeze(p);
      }
      this.kept.set(id, { at, points: Object.freeze(points) });
    }
    return points;
  }
}

function sameWindows(a: readonly WindowPoint[], b: readonly WindowPoint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
