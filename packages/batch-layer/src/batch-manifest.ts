// The manifest in Redis (source of truth, swapped per hour atomically) and its JSON mirror on disk.
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { layerKeys, writeFileDurably, type LayerKeys } from '@lambda-iot/archive';
import { batchRoot, MANIFEST_FILE } from './batch-layout';
import {
  dayField,
  hourField,
  parseDayEntry,
  parseHourEntry,
  type DayEntry,
  type HourEntry,
} from './manifest';

// Compare-and-swap publication: a version computed from an older archive generation never replaces a newer
// one, whichever job finishes last. The replaced (or refused) version is retired for garbage collection, and
// the hour's dirty mark is cleared only if this version covers the generation that set it.
const PUBLISH_HOUR = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local gen = tonumber(ARGV[3])
local old = ''
if cur then
  local c = cjson.decode(cur)
  if tonumber(c.gen) > gen then
    redis.call('ZADD', KEYS[3], ARGV[4], ARGV[5])
    return {0, c.version}
  end
  old = c.version
  if old ~= ARGV[5] then redis.call('ZADD', KEYS[3], ARGV[4], old) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local d = redis.call('ZSCORE', KEYS[2], ARGV[1])
if d and tonumber(d) <= gen then redis.call('ZREM', KEYS[2], ARGV[1]) end
return {1, old}
`;

// A day entry is replaced only if the hour versions it was built from are still the published ones.
const PUBLISH_DAY = `
local inputs = cjson.decode(ARGV[3])
for h, v in pairs(inputs) do
  local cur = redis.call('HGET', KEYS[1], h)
  if not cur or cjson.decode(cur).version ~= v then
    redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
    return {0, ''}
  end
end
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local old = ''
if cur then
  old = cjson.decode(cur).version
  redis.call('ZADD', KEYS[2], ARGV[4], old)
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return {1, old}
`;

export interface PublishResult {
  published: boolean;
  /** The version replaced by this one (published) or the newer one that kept its place (refused). */
  other: string | undefined;
}

export interface BatchManifestOptions {
  redis: Redis;
  keyPrefix: string;
  root: string;
  now?: () => number;
}

export class BatchManifest {
  readonly keys: LayerKeys;
  private readonly now: () => number;

  constructor(private readonly options: BatchManifestOptions) {
    this.keys = layerKeys(options.keyPrefix);
    this.now = options.now ?? Date.now;
  }

  async publishHour(hourStart: number, entry: HourEntry): Promise<PublishResult> {
    const k = this.keys;
    const [ok, other] = (await this.options.redis.eval(
      PUBLISH_HOUR,
      3,
      k.batchManifest,
      k.dirtyHours,
      k.batchRetired,
      hourField(hourStart),
      JSON.stringify(entry),
      String(entry.gen),
      String(this.now()),
      entry.version,
    )) as [number, string];
    return { published: ok === 1, other: other === '' ? undefined : other };
  }

  async publishDay(dayStart: number, entry: DayEntry): Promise<PublishResult> {
    const k = this.keys;
    const [ok, other] = (await this.options.redis.eval(
      PUBLISH_DAY,
      2,
      k.batchManifest,
      k.batchRetired,
      dayField(dayStart),
      JSON.stringify(entry),
      JSON.stringify(entry.hours),
      String(this.now()),
      entry.version,
    )) as [number, string];
    return { published: ok === 1, other: other === '' ? undefined : other };
  }

  /** Hour entries for the given hours, read in one command: a consistent snapshot for one query. */
  async hourEntries(hourStarts: readonly number[]): Promise<Map<number, HourEntry>> {
    const out = new Map<number, HourEntry>();
    if (hourStarts.length === 0) return out;
    const raw = await this.options.redis.hmget(this.keys.batchManifest, ...hourStarts.map(hourField));
    hourStarts.forEach((h, i) => {
      const e = parseHourEntry(raw[i]);
      if (e !== undefined) out.set(h, e);
    });
    return out;
  }

  /** Raw values of arbitrary manifest fields (day entries), in one command. */
  async rawFields(fields: readonly string[]): Promise<Array<string | null>> {
    if (fields.length === 0) return [];
    return this.options.redis.hmget(this.keys.batchManifest, ...fields);
  }

  /** Every entry: hours by start, days by start. */
  async all(): Promise<{ hours: Map<number, HourEntry>; days: Map<number, DayEntry> }> {
    const raw = await this.options.redis.hgetall(this.keys.batchManifest);
    const hours = new Map<number, HourEntry>();
    const days = new Map<number, DayEntry>();
    for (const [field, value] of Object.entries(raw)) {
      if (field.startsWith('d:')) {
        const e = parseDayEntry(value);
        if (e !== undefined) days.set(Number(field.slice(2)), e);
      } else {
        const e = parseHourEntry(value);
        if (e !== undefined) hours.set(Number(field), e);
      }
    }
    return { hours, days };
  }

  /**
   * Rewrites `<root>/batch/manifest.json` (temp + rename) from Redis under a short lock, so two jobs cannot
   * leave an older snapshot on disk after a newer one. Other engines read this file; our readers use Redis.
   */
  async writeMirror(): Promise<boolean> {
    const token = randomBytes(8).toString('hex');
    const lock = this.keys.batchManifestLock;
    const got = await this.options.redis.set(lock, token, 'PX', 30_000, 'NX');
    if (got === null) return false;
    try {
      const { hours, days } = await this.all();
      const doc = {
        format: 'lambda-iot.batch-manifest/1',
        writtenAt: new Date(this.now()).toISOString(),
        layout:
          'v=<version>/res=<1m|1h>/date=YYYY-MM-DD/hour=HH/part-0.parquet; v=<version>/res=1d/date=YYYY-MM-DD/part-0.parquet',
        hours: Object.fromEntries(
          [...hours].sort((a, b) => a[0] - b[0]).map(([h, e]) => [new Date(h).toISOString(), e]),
        ),
        days: Object.fromEntries(
          [...days].sort((a, b) => a[0] - b[0]).map(([d, e]) => [new Date(d).toISOString().slice(0, 10), e]),
        ),
      };
      await writeFileDurably(
        join(batchRoot(this.options.root), MANIFEST_FILE),
        `${JSON.stringify(doc, null, 2)}\n`,
      );
      return true;
    } finally {
      await this.options.redis.eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        lock,
        token,
      );
    }
  }
}
