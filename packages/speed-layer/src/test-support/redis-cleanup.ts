// Deletes a test's Redis keys by prefix (SCAN, never FLUSHDB: the stack's Redis is shared).
import type { Redis } from 'ioredis';

export async function deleteKeys(redis: Redis, keyPrefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
