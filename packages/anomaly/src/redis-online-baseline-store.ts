// The online-baseline store in Redis: one hash, field = series key, value = the snapshot's JSON.
import { ReplyError, type Redis } from 'ioredis';
import { OnlineBaselineStoreError } from './errors';
import { isOnlineBaselineSnapshot, type OnlineBaselineSnapshot } from './online-baseline';
import type { OnlineBaselineChanges, OnlineBaselineStore } from './online-baseline-store';

export function onlineBaselinesKey(prefix: string): string {
  return `${prefix}anomaly:online-baselines`;
}

export interface RedisOnlineBaselineStoreOptions {
  redis: Redis;
  keyPrefix: string;
  /**
   * An entry that is not a valid snapshot (corrupt, or written by an incompatible version): skipped on load, so
   * that series relearns instead of the partition failing to open, and reported here.
   */
  onInvalid?: (err: OnlineBaselineStoreError) => void;
}

/** Hash fields read per HSCAN step: a large hash is loaded without blocking Redis for one long HGETALL. */
const SCAN_COUNT = 500;

export class RedisOnlineBaselineStore implements OnlineBaselineStore {
  readonly name = 'redis';
  readonly key: string;

  constructor(private readonly options: RedisOnlineBaselineStoreOptions) {
    this.key = onlineBaselinesKey(options.keyPrefix);
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

  /** One MULTI, so a save lands whole or not at all. */
  async save(changes: OnlineBaselineChanges): Promise<void> {
    if (changes.saved.length === 0 && changes.removed.length === 0) return;
    const multi = this.options.redis.multi();
    if (changes.saved.length > 0)
      multi.hset(this.key, ...changes.saved.flatMap(([key, s]) => [key, JSON.stringify(s)]));
    if (changes.removed.length > 0) multi.hdel(this.key, ...changes.removed);
    let results: Awaited<ReturnType<typeof multi.exec>>;
    try {
      results = await multi.exec();
    } catch (err) {
      throw storeError(err);
    }
    for (const [err] of results ?? []) if (err) throw storeError(err);
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
