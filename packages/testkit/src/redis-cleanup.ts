// Deletes a test's Redis keys by pattern (SCAN, never FLUSHDB or KEYS: the stack's Redis is shared).
import type { Redis } from 'ioredis';

/** Deletes every key starting with `keyPrefix`; returns how many were deleted. */
export async function deleteKeys(redis: Redis, keyPrefix: string): Promise<number> {
  return deleteMatching(redis, `${keyPrefix}*`);
}

/** Deletes every key matching a glob `pattern`, e.g. BullMQ keys that embed a queue name. */
export async function deleteMatching(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
