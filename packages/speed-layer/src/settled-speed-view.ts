// Keeps each series' closed speed windows after the first read, so later reads fetch only the still-open tail.
import { type Resolution } from '@lambda-iot/core';
import { LruCache, type SeriesKey, type SpeedView, type WindowPoint } from '@lambda-iot/views';
import { asWindowPoint, type MinuteSource, type SpeedMinute } from './speed-minute';
import { toResolution } from './window-points';

const MINUTE_MS = 60_000;

export interface SettledSpeedViewOptions {
  source: MinuteSource;
  /** Bound on the windows kept across all series. */
  maxPoints: number;
  /** Bound on the windows kept per series; the oldest go first. Default two days of minutes. */
  maxPointsPerSeries?: number;
}

/** What is known for good about one series: every window in [since, through), sorted. */
interface Settled {
  since: number;
  through: number;
  minutes: WindowPoint[];
}

/**
 * Why it is safe: the speed layer closes a series' windows in event-time order and writes each flush in one
 * Redis transaction, and the source reads a range in one transaction too. So when an answer holds a final
 * window W, every earlier window of the series is closed and in the same answer: the minutes up to W's end
 * can never change again in the speed view (later readings for them are late, for the batch layer). They are
 * kept; the next read of the series asks the source only for [W's end, to). Non-final minutes (from Cassandra
 * after a Redis failure, or still open) are never kept.
 */
export class SettledSpeedView implements SpeedView {
  readonly source = 'speed' as const;
  private readonly settled: LruCache<string, Settled>;
  private readonly perSeries: number;

  constructor(private readonly options: SettledSpeedViewOptions) {
    this.settled = new LruCache(options.maxPoints, (s) => s.minutes.length);
    this.perSeries = options.maxPointsPerSeries ?? 2 * 1440;
  }

  async readSeries(key: SeriesKey, resolution: Resolution, from: number, to: number): Promise<WindowPoint[]> {
    if (to <= from) return [];
    const id = `${key.deviceId}|${key.metric}`;
    const known = this.settled.get(id);
    const usable = known !== undefined && known.since <= from;
    const readFrom = usable ? Math.max(from, known.through) : from;
    const fresh = readFrom < to ? await this.options.source.readMinutes(key, readFrom, to) : [];
    const kept = usable ? slice(known.minutes, from, Math.min(to, known.through)) : [];
    this.settle(id, known, usable, readFrom, fresh);
    const open = fresh.map(asWindowPoint);
    return toResolution(kept.length === 0 ? open : kept.concat(open), resolution);
  }

  /** Extends (or starts) the series' settled span with the read's leading closed minutes, if it is contiguous. */
  private settle(
    id: string,
    known: Settled | undefined,
    usable: boolean,
    readFrom: number,
    fresh: readonly SpeedMinute[],
  ): void {
    let last = -1;
    for (let i = fresh.length - 1; i >= 0; i--) {
      if ((fresh[i] as SpeedMinute).final) {
        last = i;
        break;
      }
    }
    if (last < 0) return;
    const through = (fresh[last] as SpeedMinute).windowStart + MINUTE_MS;
    const newcomers = fresh
      .slice(0, last + 1)
      .map(({ windowStart, aggregate }) => ({ windowStart, aggregate }));
    // Another read may have moved the span while this one waited; only a read starting at its end extends it.
    const current = this.settled.get(id);
    let entry: Settled;
    if (usable && current === known && known !== undefined && known.through === readFrom) {
      entry = { since: known.since, through, minutes: known.minutes.concat(newcomers) };
    } else if (current === undefined || current.through < through) {
      entry = { since: readFrom, through, minutes: newcomers };
    } else {
      return;
    }
    const excess = entry.minutes.length - this.perSeries;
    if (excess > 0) {
      entry.since = (entry.minutes[excess] as WindowPoint).windowStart;
      entry.minutes = entry.minutes.slice(excess);
    }
    this.settled.set(id, entry);
  }
}

/** The minutes in [from, to) of a sorted list. */
function slice(minutes: readonly WindowPoint[], from: number, to: number): WindowPoint[] {
  const start = lowerBound(minutes, from);
  const end = lowerBound(minutes, to);
  return minutes.slice(start, end);
}

function lowerBound(minutes: readonly WindowPoint[], t: number): number {
  let lo = 0;
  let hi = minutes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((minutes[mid] as WindowPoint).windowStart < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
