// Garbage collection of batch-view versions no manifest entry references any more, after a grace period.
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { layerKeys, type LayerKeys } from '@lambda-iot/archive';
import { batchRoot, parseVersionDir } from './batch-layout';

export interface VersionCollectorOptions {
  root: string;
  redis: Redis;
  keyPrefix: string;
  /** How long a replaced version stays readable for queries that resolved it just before the swap. */
  graceMs: number;
  now?: () => number;
}

/**
 * A version is deleted when no manifest entry names it and it was retired (replaced) more than the grace ago,
 * or, never published (a crashed or superseded job), its directory is older than the grace.
 */
export class VersionCollector {
  private readonly keys: LayerKeys;

  constructor(private readonly options: VersionCollectorOptions) {
    this.keys = layerKeys(options.keyPrefix);
  }

  async collect(): Promise<string[]> {
    const now = (this.options.now ?? Date.now)();
    const base = batchRoot(this.options.root);
    let names: string[];
    try {
      names = await readdir(base);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const referenced = new Set(
      (await this.options.redis.hvals(this.keys.batchManifest)).map(
        (v) => (JSON.parse(v) as { version: string }).version,
      ),
    );
    const deleted: string[] = [];
    for (const name of names) {
      const version = parseVersionDir(name);
      if (version === undefined || referenced.has(version)) continue;
      const retiredAt = await this.options.redis.zscore(this.keys.batchRetired, version);
      const since = retiredAt !== null ? Number(retiredAt) : (await stat(join(base, name))).mtimeMs;
      if (now - since < this.options.graceMs) continue;
      await rm(join(base, name), { recursive: true, force: true });
      await this.options.redis.zrem(this.keys.batchRetired, version);
      deleted.push(version);
    }
    return deleted;
  }
}
