// Reads the pipeline status the speed layer and archiver publish in Redis.
import type { Redis } from 'ioredis';
import type { PartitionStatus, PipelineSnapshot, PipelineStatus } from './pipeline-status';

export interface RedisPipelineStatusOptions {
  /** The deployment's key prefix (REDIS_KEY_PREFIX), e.g. 'liot:'. */
  keyPrefix: string;
  /** Most dirty hours listed (the count is always complete). */
  dirtyHourLimit?: number;
}

/**
 * Keys: hash `${prefix}speed:partitions` (partition → JSON {watermark, lag, late, duplicates, openWindows,
 * updatedAt}), sorted set `${prefix}archive:dirty-hours` (hour starts), string `${prefix}archive:sealed-through`.
 * A malformed partition entry is skipped rather than failing the whole status.
 */
export class RedisPipelineStatus implements PipelineStatus {
  private readonly limit: number;

  constructor(
    private readonly redis: Pick<Redis, 'hgetall' | 'zrange' | 'zcard' | 'get'>,
    private readonly options: RedisPipelineStatusOptions,
  ) {
    this.limit = options.dirtyHourLimit ?? 1_000;
  }

  async read(): Promise<PipelineSnapshot> {
    const p = this.options.keyPrefix;
    const [hash, dirty, dirtyCount, sealed] = await Promise.all([
      this.redis.hgetall(`${p}speed:partitions`),
      this.redis.zrange(`${p}archive:dirty-hours`, 0, this.limit - 1),
      this.redis.zcard(`${p}archive:dirty-hours`),
      this.redis.get(`${p}archive:sealed-through`),
    ]);
    const partitions: PartitionStatus[] = [];
    for (const [field, json] of Object.entries(hash)) {
      const parsed = parsePartition(field, json);
      if (parsed !== undefined) partitions.push(parsed);
    }
    partitions.sort((a, b) => a.partition - b.partition);
    const sealedThrough = sealed === null ? null : Number(sealed);
    return {
      partitions,
      // Scores are hour generations, not times: order by hour here.
      dirtyHours: dirty
        .map(Number)
        .filter(Number.isFinite)
        .sort((a, b) => a - b),
      dirtyHourCount: dirtyCount,
      sealedThrough:
        sealedThrough !== null && Number.isFinite(sealedThrough) && sealedThrough >= 0 ? sealedThrough : null,
    };
  }
}

function parsePartition(field: string, json: string): PartitionStatus | undefined {
  const partition = Number(field);
  if (!Number.isInteger(partition)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const num = (k: string): number => (typeof r[k] === 'number' && Number.isFinite(r[k]) ? r[k] : 0);
  return {
    partition,
    watermark: num('watermark'),
    lag: num('lag'),
    late: num('late'),
    duplicates: num('duplicates'),
    openWindows: num('openWindows'),
    updatedAt: num('updatedAt'),
  };
}
