// Sealed and dirty hours in Redis: what the archive holds, how far it is complete, and what changed after.
import type { Redis } from 'ioredis';
import { HOUR_MS } from '@lambda-iot/core';
import { layerKeys, type LayerKeys } from './redis-keys';

/**
 * Hours ending at or before this are sealed: `lowWatermark` is the minimum over active partitions of their max
 * event time minus the allowed lateness, and an hour is sealed once the low watermark reached its end.
 */
export function sealedThroughFor(lowWatermark: number): number {
  return Math.floor(lowWatermark / HOUR_MS) * HOUR_MS;
}

export interface FlushRecord {
  partition: number;
  /** Hour starts that received a file in this flush. */
  hours: readonly number[];
  /** Max event time in the flush (of valid readings), or undefined if it had none. */
  maxTs: number | undefined;
}

// One atomic step per flush, after its files were renamed into place, so a recompute sees whatever marked it.
// An hour is dirty when it was sealed before this flush (or already has a published batch view): the flush's
// own readings are judged against the watermark as it stood before them. A partition whose last flush with
// readings is older than the idle timeout (Redis's clock, shared by every archiver) is left out of the low
// watermark, as Flink's idle sources are: otherwise one quiet partition would hold every hour open forever.
// Readings it receives later are judged like any others, so a sealed hour they land in turns dirty.
const RECORD_FLUSH = `
local sealed = tonumber(redis.call('GET', KEYS[6]) or '-1')
local lateness = tonumber(ARGV[3])
local idle = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i = 5, #ARGV do
  local h = ARGV[i]
  local gen = redis.call('HINCRBY', KEYS[3], h, 1)
  redis.call('SADD', KEYS[1], h)
  if tonumber(h) + ${HOUR_MS} <= sealed or redis.call('HEXISTS', KEYS[4], h) == 1 then
    redis.call('ZADD', KEYS[2], gen, h)
  end
end
if ARGV[2] ~= '' then
  local cur = redis.call('HGET', KEYS[5], ARGV[1])
  if cur == false or tonumber(ARGV[2]) > tonumber(cur) then
    redis.call('HSET', KEYS[5], ARGV[1], ARGV[2])
  end
  redis.call('HSET', KEYS[7], ARGV[1], string.format('%.0f', now))
end
local all = redis.call('HGETALL', KEYS[5])
local low = nil
for i = 1, #all, 2 do
  local seen = tonumber(redis.call('HGET', KEYS[7], all[i]) or '0')
  if idle <= 0 or now - seen < idle then
    local n = tonumber(all[i + 1])
    if low == nil or n < low then low = n end
  end
end
if low == nil then return sealed end
local through = math.floor((low - lateness) / ${HOUR_MS}) * ${HOUR_MS}
if through > sealed then
  redis.call('SET', KEYS[6], string.format('%.0f', through))
  return through
end
return sealed
`;

export interface HourLedgerOptions {
  redis: Redis;
  keyPrefix: string;
  /** Allowed lateness: how long after the max event time of every partition an hour still counts as open. */
  latenessMs: number;
  /**
   * A partition with no readings flushed for this long stops holding the low watermark back; 0 waits for
   * every partition forever. Must exceed the flush age, or a partition would look idle between its flushes.
   */
  idleTimeoutMs?: number;
}

/** The archiver's writes to Redis; read-only views of the same keys live in the batch layer. */
export class HourLedger {
  readonly keys: LayerKeys;

  constructor(private readonly options: HourLedgerOptions) {
    this.keys = layerKeys(options.keyPrefix);
  }

  /** Records a completed flush; returns the sealed-through time after it. */
  async recordFlush(flush: FlushRecord): Promise<number> {
    const k = this.keys;
    const result = await this.options.redis.eval(
      RECORD_FLUSH,
      7,
      k.hours,
      k.dirtyHours,
      k.hourGenerations,
      k.batchManifest,
      k.partitionMaxTs,
      k.sealedThrough,
      k.partitionSeenAt,
      String(flush.partition),
      flush.maxTs === undefined ? '' : String(flush.maxTs),
      String(this.options.latenessMs),
      String(this.options.idleTimeoutMs ?? 0),
      ...[...new Set(flush.hours)].map(String),
    );
    return Number(result);
  }

  async sealedThrough(): Promise<number> {
    const raw = await this.options.redis.get(this.keys.sealedThrough);
    return raw === null ? -1 : Number(raw);
  }
}
