// The speed view the serving app reads: Redis first, Cassandra when Redis is down or lacks part of the range.
import type { Resolution } from '@lambda-iot/core';
import type { SeriesKey, SpeedView, WindowPoint } from '@lambda-iot/views';
import type { RedisSpeedView } from './redis-speed-view';

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
export class FallbackSpeedView implements SpeedView {
  readonly source = 'speed' as const;

  constructor(private readonly options: FallbackSpeedViewOptions) {}

  async readSeries(key: SeriesKey, resolution: Resolution, from: number, to: number): Promise<WindowPoint[]> {
    try {
      const answer = await this.options.redis.read(key, resolution, from, to);
      if (answer.complete) return answer.points;
      this.options.onFallback?.('redis_missing');
    } catch (err) {
      this.options.onFallback?.('redis_error', err);
    }
    return this.options.cassandra.readSeries(key, resolution, from, to);
  }
}
