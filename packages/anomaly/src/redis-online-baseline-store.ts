// The online-baseline store in Redis: one hash per readings partition, field = series key, value = the snapshot's JSON.
import { ReplyError, type Redis } from 'ioredis';
import { OnlineBaselineStoreError } from './errors';
import { isOnlineBaselineSnapshot, newestWindow, type OnlineBaselineSnapshot } from './online-baseline';
import type { OnlineBaselineChanges, OnlineBaselineStore } from './online-baseline-store';

/**
 * One hash per partition of the readings topic, as Kafka Streams keeps a state store per partition: a partition's
 * consumer loads only the series it is assigned, however large the fleet. A device keeps its partition as long as
 * the topic's partition count does; when that grows, the series that moved relearn their online baseline.
 */
export function onlineBaselinesKey(prefix: string, partition: number): string {
  return `${prefix}anomaly:online-baselines:${partition}`;
}

export interface RedisOnlineBaselineStoreOptions {
  redis: Redis;
  keyPrefix: string;
  /** The readings partition whose series this store holds. */
  partition: number;
  /**
   * An entry that is not a valid snapshot (corrupt, or written by an incompatible version): skipped on load, so
   * that series relearns instead of the partition failing to open, and reported here.
   */
  onInvalid?: (err: OnlineBaselineStoreError) => void;
}

/** Hash fields read per HSCAN step: a large hash is loaded without blocking Redis for one long HGETALL. */
const SCAN_COUNT = 500;

/**
 * KEYS[1] the hash; ARGV[1] the number of saved entries, then (field, snapshot JSON, newest window start) per saved
 * entry, then the fields to remove. A snapshot is written only when it is newer than the stored one (its newest
 * window starts later), or the stored one is unreadable: a consumer that lost the partition and saves late cannot
 * roll back what the partition's new owner has learned since, and a repeated save changes nothing.
 */
const SAVE_SCRIPT = `
local saved = tonumber(ARGV[1])
for i = 0, saved - 1 do
  local field, value, newest = ARGV[2 + i * 3], ARGV[3 + i * 3], tonumber(ARGV[4 + i * 3])
  local stored = redis.call('HGET', KEYS[1], field)
  local older = true
  if stored then
    local ok, doc = pcall(cjson.decode, stored)
    if ok and type(doc) == 'table' and type(doc.times) == 'table' then
      local last = doc.times[#doc.times]
      if type(last) == 'number' and last >= newest then older = false end
    end
  end
  if older then redis.call('HSET', KEYS[1], field, value) end
end
for i = 2 + saved * 3, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
return saved
`;

export class RedisOnlineBaselineStore implements OnlineBaselineStore {
  readonly name = 'redis';
  readonly key: string;

  constructor(private readonly options: RedisOnlineBaselineStoreOptions) {
    this.key = onlineBaselinesKey(options.keyPrefix, options.partition);
  }

  async load(): Promise<Map<string, OnlineBaselineSnapshot>> {
    const out = new Map<string, OnlineBaselineSnapshot>();
    let cursor = '0';
    do {
      let fields: string[];
      try {
        [cursor, fields] = await this.options.redis.hscan(this.key, cursor, 'COUNT', SCAN_COUNT);
      } catch (err) {
        throw storeError(err);
      }
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const snapshot = this.parse(fields[i]!, fields[i + 1]!);
        if (snapshot !== undefined) out.set(fields[i]!, snapshot);
      }
    } while (cursor !== '0');
    return out;
  }

  /** One script, so a save lands whole or not at all. */
  async save(changes: OnlineBaselineChanges): Promise<void> {
    if (changes.saved.length === 0 && changes.removed.length === 0) return;
    const args = [String(changes.saved.length)];
    for (const [key, s] of changes.saved) args.push(key, JSON.stringify(s), String(newestWindow(s)));
    args.push(...changes.removed);
    try {
      await this.options.redis.eval(SAVE_SCRIPT, 1, this.key, ...args);
    } catch (err) {
      throw storeError(err);
    }
  }

  private parse(key: string, raw: string): OnlineBaselineSnapshot | undefined {
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch (err) {
      this.invalid(key, 'is not JSON', err);
      return undefined;
    }
    if (isOnlineBaselineSnapshot(doc)) return { times: doc.times, means: doc.means };
    this.invalid(key, 'is not an online baseline snapshot');
    return undefined;
  }

  private invalid(key: string, what: string, cause?: unknown): void {
    this.options.onInvalid?.(
      new OnlineBaselineStoreError('redis', `entry ${key} ${what}; skipped, the series relearns`, {
        retriable: false,
        cause,
      }),
    );
  }
}

/** A reply error (wrong type, aborted transaction) will not go away by itself; anything else is the connection. */
function storeError(err: unknown): OnlineBaselineStoreError {
  return new OnlineBaselineStoreError('redis', err instanceof Error ? err.message : String(err), {
    retriable: !(err instanceof ReplyError),
    cause: err,
  });
}
