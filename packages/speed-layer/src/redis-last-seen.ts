// Reads when each device last reported, as the speed layer's Redis sink records it.
import type { Redis } from 'ioredis';
import type { LastSeenSource } from '@lambda-iot/views';
import { SinkError } from './errors';
import { lastSeenKey } from './redis-speed-keys';

export interface RedisLastSeenOptions {
  redis: Redis;
  keyPrefix: string;
}

export class RedisLastSeen implements LastSeenSource {
  constructor(private readonly options: RedisLastSeenOptions) {}

  async lastSeen(deviceIds: readonly string[]): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    if (deviceIds.length === 0) return seen;
    let values: Array<string | null>;
    try {
      values = await this.options.redis.hmget(lastSeenKey(this.options.keyPrefix), ...deviceIds);
    } catch (err) {
      throw new SinkError('redis', err instanceof Error ? err.message : String(err), {
        retriable: true,
        cause: err,
      });
    }
    deviceIds.forEach((id, i) => {
      const ts = Number(values[i] ?? Number.NaN);
      if (Number.isFinite(ts)) seen.set(id, ts);
    });
    return seen;
  }
}
