// The batch boundary in Redis: recomputed atomically from the archive's hours and the manifest, read by serving.
import type { Redis } from 'ioredis';
import type { BatchBoundaryReader } from '@lambda-iot/views';
import { layerKeys, type LayerKeys } from '@lambda-iot/archive';
import { computeBoundary, parseHourEntry, type HourEntry } from './manifest';

export class RedisBatchBoundary implements BatchBoundaryReader {
  readonly keys: LayerKeys;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.keys = layerKeys(keyPrefix);
  }

  async readBoundary(): Promise<number> {
    const raw = await this.redis.get(this.keys.batchBoundary);
    return raw === null ? 0 : Number(raw);
  }

  /**
   * Recomputes B and stores it. WATCH on every input makes the write conditional: if a publish or a flush
   * changed them meanwhile, the transaction aborts and we compute again, so a stale B is never written last.
   * Uses its own connection because WATCH is per connection.
   */
  async refresh(): Promise<number> {
    const k = this.keys;
    const conn = this.redis.duplicate();
    try {
      for (let attempt = 0; attempt < 10; attempt++) {
        await conn.watch(k.hours, k.hourGenerations, k.batchManifest, k.dirtyHours, k.sealedThrough);
        const [hours, gens, manifest, dirty, sealed] = await Promise.all([
          conn.smembers(k.hours),
          conn.hgetall(k.hourGenerations),
          conn.hgetall(k.batchManifest),
          conn.zrange(k.dirtyHours, 0, -1),
          conn.get(k.sealedThrough),
        ]);
        const published = new Map<number, HourEntry>();
        for (const [field, value] of Object.entries(manifest)) {
          if (field.startsWith('d:')) continue;
          const e = parseHourEntry(value);
          if (e !== undefined) published.set(Number(field), e);
        }
        const boundary = computeBoundary({
          hours: hours.map(Number),
          generations: new Map(Object.entries(gens).map(([h, g]) => [Number(h), Number(g)])),
          published,
          dirty: new Set(dirty.map(Number)),
          sealedThrough: sealed === null ? -1 : Number(sealed),
        });
        const result = await conn.multi().set(k.batchBoundary, String(boundary)).exec();
        if (result !== null) return boundary;
      }
      return this.readBoundary();
    } finally {
      conn.disconnect();
    }
  }
}
