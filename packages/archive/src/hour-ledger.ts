// Sealed and dirty hours in Redis: what the archive holds, how far it is complete, and what changed after.
import type { Redis } from 'ioredis';
import { HOUR_MS } from '@lambda-iot/core';
import { layerKeys, type LayerKeys } from './redis-keys';

/**
 * Hours ending at or before this are sealed: `lowWatermark` is the minimum over partitions of their max event
 * time minus the allowed lateness, and an hour is sealed once the low watermark reached its end.
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
// own readings are judged against the watermark as it stood before them.
const RECORD_FLUSH = `
local sealed = tonumber(redis.call('GET', KEYS[6]) or '-1')
local lateness = tonumber(ARGV[3])
for i = 4, #ARGV do
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
end
local vals = redis.call('HVALS', KEYS[5])
if #vals == 0 then return sealed end
local low = nil
for _, v in ipairs(vals) do
  local n = tonumber(v)
  if low == nil or n < low then low = n end
end
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
      6,
      k.hours,
      k.dirtyHours,
      k.hourGenerations,
      k.batchManifest,
      k.partitionMaxTs,
      k.sealedThrough,
      String(flush.partition),
      flush.maxTs === undefined ? '' : String(flush.maxTs),
      String(this.options.latenessMs),
      ...[...new Set(flush.hours)].map(String),
    );
    return Number(result);
  }

  async sealedThrough(): Promise<number> {
    const raw = await this.options.redis.get(this.keys.sealedThrough);
    return raw === null ? -1 : Number(raw);
  }
}
