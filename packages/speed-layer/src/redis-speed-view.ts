// Reads the hot speed view from Redis: one HGETALL per day of the range, pipelined.
import type { Redis } from 'ioredis';
import { DAY_MS, dayStart, utcDay, type Resolution } from '@lambda-iot/core';
import type { SeriesKey, SpeedView, WindowPoint } from '@lambda-iot/views';
import { SinkError } from './errors';
import { seriesDayKey } from './redis-speed-keys';
import { decodeWindowValue } from './window-value-codec';
import { toResolution } from './window-points';

export interface RedisSpeedViewOptions {
  redis: Redis;
  keyPrefix: string;
}

/** A read answer plus whether Redis held every day of the range (a missing day may have expired or been lost). */
export interface RedisRead {
  points: WindowPoint[];
  complete: boolean;
}

/**
 * Only 1-minute windows are stored; '1h' and '1d' reads roll them up here with core's `rollup`, so every
 * SpeedView answers all resolutions on its own (the merge in views may roll up again; the result is the same).
 */
export class RedisSpeedView implements SpeedView {
  readonly source = 'speed' as const;

  constructor(private readonly options: RedisSpeedViewOptions) {}

  async readSeries(key: SeriesKey, resolution: Resolution, from: number, to: number): Promise<WindowPoint[]> {
    return (await this.read(key, resolution, from, to)).points;
  }

  /** Like readSeries, and says whether every day hash of the range existed. */
  async read(key: SeriesKey, resolution: Resolution, from: number, to: number): Promise<RedisRead> {
    if (to <= from) return { points: [], complete: true };
    const days: string[] = [];
    for (let d = dayStart(from); d < to; d += DAY_MS) days.push(utcDay(d));
    const pipeline = this.options.redis.pipeline();
    for (const day of days)
      pipeline.hgetall(seriesDayKey(this.options.keyPrefix, key.deviceId, key.metric, day));
    let results: Awaited<ReturnType<typeof pipeline.exec>>;
    try {
      results = await pipeline.exec();
    } catch (err) {
      throw new SinkError('redis', err instanceof Error ? err.message : String(err), {
        retriable: true,
        cause: err,
      });
    }
    const minutes: WindowPoint[] = [];
    let complete = true;
    for (const [err, hash] of results ?? []) {
      if (err) throw new SinkError('redis', err.message, { retriable: true, cause: err });
      const fields = Object.entries(hash as Record<string, string>);
      if (fields.length === 0) complete = false;
      for (const [field, value] of fields) {
        const start = Number(field);
        // The caller aligned [from, to) to the resolution, so the minutes inside it are exactly the ones to use.
        if (!(start >= from && start < to)) continue;
        const stored = decodeWindowValue(value);
        if (stored && stored.aggregate.count > 0)
          minutes.push({ windowStart: start, aggregate: stored.aggregate });
      }
    }
    return { points: toResolution(minutes, resolution), complete };
  }
}
