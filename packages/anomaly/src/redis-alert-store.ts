// The hot alert store: every recent alert's latest state in a hash, open ones in a sorted set by opening time.
import type { Redis } from 'ioredis';
import type { AlertEvent } from './alert-event';
import { compareAlerts, eventRank, selectAlerts, type AlertQuery, type AlertStore } from './alert-store';
import { AlertStoreError } from './errors';

export interface AlertKeys {
  /** Hash: alert id → latest event JSON. */
  alerts: string;
  /** Sorted set of open alert ids, score = openedAt. */
  open: string;
  /** Sorted set of resolved alert ids, score = resolvedAt: what ages out of the hash. */
  resolved: string;
}

export function alertKeys(prefix: string): AlertKeys {
  return {
    alerts: `${prefix}anomaly:alerts`,
    open: `${prefix}anomaly:alerts:open`,
    resolved: `${prefix}anomaly:alerts:resolved`,
  };
}

// Keeps the event only if it is newer than the stored state (rank: window, then resolved over open), then
// moves the id between the open and resolved sets and ages out resolved alerts past the retention.
const UPSERT_ALERT = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local c = cjson.decode(cur)
  local rank = c.windowStart * 2
  if c.state == 'resolved' then rank = rank + 1 end
  if rank >= tonumber(ARGV[3]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[4] == 'open' then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
else
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZADD', KEYS[3], ARGV[6], ARGV[1])
end
local old = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[7], 'LIMIT', 0, 100)
if #old > 0 then
  redis.call('HDEL', KEYS[1], unpack(old))
  redis.call('ZREM', KEYS[3], unpack(old))
end
return 1
`;

export interface RedisAlertStoreOptions {
  redis: Redis;
  keyPrefix: string;
  /** How long resolved alerts stay hot (by event time of resolution). Default 7 days. */
  retentionMs?: number;
}

export const DEFAULT_ALERT_RETENTION_MS = 7 * 86_400_000;

export class RedisAlertStore implements AlertStore {
  readonly name = 'redis';
  readonly keys: AlertKeys;

  constructor(private readonly options: RedisAlertStoreOptions) {
    this.keys = alertKeys(options.keyPrefix);
  }

  async upsert(events: readonly AlertEvent[]): Promise<void> {
    if (events.length === 0) return;
    const retention = this.options.retentionMs ?? DEFAULT_ALERT_RETENTION_MS;
    const pipeline = this.options.redis.pipeline();
    for (const e of events) {
      pipeline.eval(
        UPSERT_ALERT,
        3,
        this.keys.alerts,
        this.keys.open,
        this.keys.resolved,
        e.id,
        JSON.stringify(e),
        String(eventRank(e)),
        e.state,
        String(e.openedAt),
        String(e.resolvedAt ?? e.windowStart),
        String((e.resolvedAt ?? e.windowStart) - retention),
      );
    }
    let results: Awaited<ReturnType<typeof pipeline.exec>>;
    try {
      results = await pipeline.exec();
    } catch (err) {
      throw storeError(err);
    }
    for (const [err] of results ?? []) if (err) throw storeError(err);
  }

  /** Every open alert (any device unless one is given), oldest first. */
  async openAlerts(deviceId?: string): Promise<AlertEvent[]> {
    const ids = await this.options.redis.zrange(this.keys.open, 0, -1);
    return (await this.byIds(ids)).filter(
      (e) => e.state === 'open' && (deviceId === undefined || e.deviceId === deviceId),
    );
  }

  async query(q: AlertQuery): Promise<AlertEvent[]> {
    const ids =
      q.state === 'open'
        ? await this.options.redis.zrangebyscore(this.keys.open, q.from, `(${q.to}`)
        : await this.options.redis.hkeys(this.keys.alerts);
    return selectAlerts(await this.byIds(ids), q);
  }

  private async byIds(ids: readonly string[]): Promise<AlertEvent[]> {
    if (ids.length === 0) return [];
    const raw = await this.options.redis.hmget(this.keys.alerts, ...ids);
    const out: AlertEvent[] = [];
    for (const r of raw) if (r !== null) out.push(JSON.parse(r) as AlertEvent);
    return out.sort(compareAlerts);
  }
}

function storeError(err: unknown): AlertStoreError {
  return new AlertStoreError('redis', err instanceof Error ? err.message : String(err), {
    retriable: true,
    cause: err,
  });
}
