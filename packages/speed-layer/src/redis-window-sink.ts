// The hot speed view: transactional, count-guarded overwrites of window hashes in Redis, expiring after a TTL.
import type { Redis } from 'ioredis';
import { SinkError } from './errors';
import { lastSeenKey, seriesDayKeyAt } from './redis-speed-keys';
import { encodeWindowValue } from './window-value-codec';
import type { WindowSink, WindowUpdate } from './window-sink';

export const DEFAULT_REDIS_TTL_MS = 48 * 3_600_000;

export interface RedisWindowSinkOptions {
  redis: Redis;
  keyPrefix: string;
  /** How long a day's hash lives after its last write; longer than the batch layer's usual delay. Default 48 h. */
  ttlMs?: number;
}

/**
 * ARGV: ttl ms, then (field, value, count) triples. A field is replaced unless the stored window has a larger
 * count (a stale write, see WindowSink); equal counts replace, so an early result can be marked final.
 */
const WRITE_SCRIPT = `
local ttl = ARGV[1]
for i = 2, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if (not current) or tonumber(string.match(current, '^[^,]+')) <= tonumber(ARGV[i + 2]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
redis.call('PEXPIRE', KEYS[1], ttl)
return 0
`;

/** ARGV: (deviceId, epoch ms) pairs; a device's value is only ever raised. */
const LAST_SEEN_SCRIPT = `
for i = 1, #ARGV, 2 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if (not current) or tonumber(current) < tonumber(ARGV[i + 1]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return 0
`;

type RedisWithScript = Redis & {
  speedWriteWindows(key: string, ...args: Array<string | number>): Promise<number>;
  speedRaiseLastSeen(key: string, ...args: Array<string | number>): Promise<number>;
};

export class RedisWindowSink implements WindowSink {
  readonly name = 'redis';
  private readonly redis: RedisWithScript;
  private readonly ttlMs: number;

  constructor(private readonly options: RedisWindowSinkOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_REDIS_TTL_MS;
    const redis = options.redis as RedisWithScript;
    if (typeof redis.speedWriteWindows !== 'function') {
      redis.defineCommand('speedWriteWindows', { numberOfKeys: 1, lua: WRITE_SCRIPT });
    }
    if (typeof redis.speedRaiseLastSeen !== 'function') {
      redis.defineCommand('speedRaiseLastSeen', { numberOfKeys: 1, lua: LAST_SEEN_SCRIPT });
    }
    this.redis = redis;
  }

  async write(updates: readonly WindowUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    // One script call per series-day hash, all of them in one round trip.
    const byKey = new Map<string, Array<string | number>>();
    for (const u of updates) {
      const key = seriesDayKeyAt(this.options.keyPrefix, u.deviceId, u.metric, u.windowStart);
      let args = byKey.get(key);
      if (args === undefined) {
        args = [this.ttlMs];
        byKey.set(key, args);
      }
      args.push(String(u.windowStart), encodeWindowValue(u.aggregate, u.final), u.aggregate.count);
    }
    // One transaction per flush: a reader sees all of it or none of it, so a final window it sees implies the
    // series' earlier windows are there too (SettledSpeedView depends on it).
    const transaction = this.redis.multi() as unknown as RedisWithScript & {
      exec(): ReturnType<Redis['exec']>;
    };
    for (const [key, args] of byKey) void transaction.speedWriteWindows(key, ...args);
    const seen = lastSeenArgs(updates);
    if (seen.length > 0) void transaction.speedRaiseLastSeen(lastSeenKey(this.options.keyPrefix), ...seen);
    let results: Awaited<ReturnType<Redis['exec']>>;
    try {
      results = await transaction.exec();
    } catch (err) {
      throw redisError(err);
    }
    for (const [err] of results ?? []) if (err) throw redisError(err);
  }
}

/** Each device's latest reading time among the updates, as (deviceId, epoch ms) pairs. */
function lastSeenArgs(updates: readonly WindowUpdate[]): Array<string | number> {
  const latest = new Map<string, number>();
  for (const u of updates) {
    if (!(u.aggregate.count > 0)) continue;
    const seen = latest.get(u.deviceId);
    if (seen === undefined || u.aggregate.lastTs > seen) latest.set(u.deviceId, u.aggregate.lastTs);
  }
  const args: Array<string | number> = [];
  for (const [deviceId, ts] of latest) args.push(deviceId, ts);
  return args;
}

// Replies Redis gives while it is busy or recovering; other ReplyErrors are a refused command (a bug to surface).
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|OOM|READONLY|CLUSTERDOWN)/;

/** Connection failures and transient replies are retriable; anything else Redis said no to is not. */
function redisError(err: unknown): SinkError {
  const name = err instanceof Error ? err.name : '';
  const message = err instanceof Error ? err.message : String(err);
  const retriable = name !== 'ReplyError' || TRANSIENT_REPLY.test(message);
  return new SinkError('redis', message, { retriable, cause: err });
}
