// The speed view the serving app reads: Redis first, Cassandra when Redis is down or lacks part of the range.
import type { Resolution } from '@lambda-iot/core';
import type { SeriesKey, SpeedView, WindowPoint } from '@lambda-iot/views';
import type { RedisSpeedView } from './redis-speed-view';
import { asWindowPoint, type MinuteSource, type SpeedMinute } from './speed-minute';
import { toResolution } from './window-points';

export interface FallbackSpeedViewOptions {
  redis: RedisSpeedView;
  cassandra: SpeedView;
  /** Told about every fallback, for a metric or a log line; the read itself still succeeds. */
  onFallback?: (reason: 'redis_error' | 'redis_missing', err?: unknown) => void;
}

/**
 * Redis answers when it holds a hash for every day of the range. A missing day (expired past the TTL, or
 * Redis lost its data) or any Redis error sends the whole read to Cassandra, which holds every window Redis
 * does. Known gap: right after Redis loses its data, the current day's hash is recreated by the next writes
 * and is then partial until its older windows are rewritten; readers of that day see Redis' partial answer.
 */
export class FallbackSpeedView implements SpeedView, MinuteSource {
  readonly source = 'speed' as const;

  constructor(private readonly options: FallbackSpeedViewOptions) {}

  async readSeries(key: SeriesKey, resolution: Resolution, from: number, to: number): Promise<WindowPoint[]> {
    const minutes = await this.readMinutes(key, from, to);
    return toResolution(minutes.map(asWindowPoint), resolution);
  }

  /**
   * Cassandra does not store whether a window is closed, so its minutes come back as not final: a reader
   * caching closed windows (SettledSpeedView) just keeps reading them until Redis answers again.
   */
  async readMinutes(key: SeriesKey, from: number, to: number): Promise<SpeedMinute[]> {
    try {
      const answer = await this.options.redis.readMinuteWindows(key, from, to);
      if (answer.complete) return answer.minutes;
      this.options.onFallback?.('redis_missing');
    } catch (err) {
      this.options.onFallback?.('redis_error', err);
    }
    const points = await this.options.cassandra.readSeries(key, '1m', from, to);
    return points.map((p) => ({ windowStart: p.windowStart, aggregate: p.aggregate, final: false }));
  }
}
