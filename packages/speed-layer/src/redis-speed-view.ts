// Reads the hot speed view from Redis: per day of the range, one HGETALL (whole day) or HMGET (part of it).
import type { Redis } from 'ioredis';
import { DAY_MS, dayStart, utcDay, type Resolution } from '@lambda-iot/core';
import type { SeriesKey, SpeedView, WindowPoint } from '@lambda-iot/views';
import { SinkError } from './errors';
import { seriesDayKey } from './redis-speed-keys';
import { asWindowPoint, type MinuteSource, type SpeedMinute } from './speed-minute';
import { decodeWindowValue } from './window-value-codec';
import { toResolution } from './window-points';

const MINUTE_MS = 60_000;

export interface RedisSpeedViewOptions {
  redis: Redis;
  keyPrefix: string;
}

/**
 * 1-minute windows with their final flags, plus whether every day hash of the range existed (a missing day may
 * have expired or been lost).
 */
export interface RedisMinuteRead {
  minutes: SpeedMinute[];
  complete: boolean;
}

/**
 * Only 1-minute windows are stored; '1h' and '1d' reads roll them up here with core's `rollup`, so every
 * SpeedView answers all resolutions on its own (the merge in views may roll up again; the result is the same).
 */
export class RedisSpeedView implements SpeedView, MinuteSource {
  readonly source = 'speed' as const;

  constructor(private readonly options: RedisSpeedViewOptions) {}

  async readSeries(key: SeriesKey, resolution: Resolution, from: number, to: number): Promise<WindowPoint[]> {
    const { minutes } = await this.readMinuteWindows(key, from, to);
    return toResolution(minutes.map(asWindowPoint), resolution);
  }

  async readMinutes(key: SeriesKey, from: number, to: number): Promise<SpeedMinute[]> {
    return (await this.readMinuteWindows(key, from, to)).minutes;
  }

  /**
   * One MULTI over the range's day hashes, so the answer is one consistent state of Redis: the sink writes each
   * flush in one MULTI as well, which is what lets a reader trust that a final window implies every earlier
   * window of the series is in the answer (see SettledSpeedView). A day only partly in the range is read field by
   * field: the minutes just above the batch boundary are usually a small part of today's hash.
   */
  async readMinuteWindows(key: SeriesKey, from: number, to: number): Promise<RedisMinuteRead> {
    if (to <= from) return { minutes: [], complete: true };
    const multi = this.options.redis.multi();
    const reads: Array<'all' | string[]> = [];
    for (let d = dayStart(from); d < to; d += DAY_MS) {
      const dayKey = seriesDayKey(this.options.keyPrefix, key.deviceId, key.metric, utcDay(d));
      const start = Math.max(from, d);
      const end = Math.min(to, d + DAY_MS);
      if (start === d && end === d + DAY_MS) {
        multi.hgetall(dayKey);
        reads.push('all');
      } else {
        const fields: string[] = [];
        for (let m = Math.ceil(start / MINUTE_MS) * MINUTE_MS; m < end; m += MINUTE_MS)
          fields.push(String(m));
        multi.exists(dayKey);
        if (fields.length > 0) multi.hmget(dayKey, ...fields);
        reads.push(fields);
      }
    }
    let results: Awaited<ReturnType<typeof multi.exec>>;
    try {
      results = await multi.exec();
    } catch (err) {
      throw new SinkError('redis', err instanceof Error ? err.message : String(err), {
        retriable: true,
        cause: err,
      });
    }
    const replies = results ?? [];
    const reply = (i: number): unknown => {
      const [err, value] = replies[i] ?? [new Error('missing reply to a transaction command'), null];
      if (err) throw new SinkError('redis', err.message, { retriable: true, cause: err });
      return value;
    };
    const minutes: SpeedMinute[] = [];
    let complete = true;
    let r = 0;
    for (const read of reads) {
      if (read === 'all') {
        const fields = Object.entries(reply(r++) as Record<string, string>);
        if (fields.length === 0) complete = false;
        for (const [field, value] of fields) {
          const start = Number(field);
          if (start >= from && start < to) pushDecoded(minutes, start, value);
        }
      } else {
        if ((reply(r++) as number) === 0) complete = false;
        if (read.length === 0) continue;
        const values = reply(r++) as Array<string | null>;
        for (let i = 0; i < read.length; i++) {
          const value = values[i];
          if (value != null) pushDecoded(minutes, Number(read[i]), value);
        }
      }
    }
    minutes.sort((a, b) => a.windowStart - b.windowStart);
    return { minutes, complete };
  }
}

/** A foreign or truncated value is skipped, not trusted; empty windows are not points. */
function pushDecoded(minutes: SpeedMinute[], windowStart: number, value: string): void {
  const stored = decodeWindowValue(value);
  if (stored && stored.aggregate.count > 0)
    minutes.push({ windowStart, aggregate: stored.aggregate, final: stored.final });
}
