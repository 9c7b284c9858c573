import type { Redis } from 'ioredis';
import { HOUR_MS } from '@lambda-iot/core';
import { createRedis } from '@lambda-iot/connections';
import { deleteKeys, eventually, testRedisConfig, uniqueName } from '@lambda-iot/testkit';
import { HourLedger } from './hour-ledger';

const T = Date.UTC(2026, 4, 5, 6);

describe('HourLedger on Redis', () => {
  const prefix = `${uniqueName('liot_ledger')}:`;
  let redis: Redis;

  beforeAll(() => {
    redis = createRedis(testRedisConfig(prefix));
  });

  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('stops waiting for a partition idle past the timeout, and marks the hours its late readings land in dirty', async () => {
    const ledger = new HourLedger({ redis, keyPrefix: prefix, latenessMs: 60_000, idleTimeoutMs: 400 });
    await ledger.recordFlush({ partition: 0, hours: [T], maxTs: T + 10_000 });
    // Partition 1 is hours ahead; partition 0, which then goes quiet, holds hour T and later open.
    expect(await ledger.recordFlush({ partition: 1, hours: [T + 3 * HOUR_MS], maxTs: T + 3 * HOUR_MS })).toBe(
      T - HOUR_MS,
    );
    await eventually(
      async () => {
        const sealed = await ledger.recordFlush({
          partition: 1,
          hours: [T + 3 * HOUR_MS],
          maxTs: T + 3 * HOUR_MS + 120_000,
        });
        expect(sealed).toBe(T + 3 * HOUR_MS);
      },
      { timeoutMs: 5_000 },
    );
    // Back from idleness with a reading of a sealed hour: the hour turns dirty, the sealed time stays.
    expect(await ledger.recordFlush({ partition: 0, hours: [T + HOUR_MS], maxTs: T + HOUR_MS + 5 })).toBe(
      T + 3 * HOUR_MS,
    );
    expect(await redis.zrange(ledger.keys.dirtyHours, 0, -1)).toEqual([String(T + HOUR_MS)]);
  });

  it('waits for every partition without an idle timeout', async () => {
    const other = `${uniqueName('liot_ledger')}:`;
    const ledger = new HourLedger({ redis, keyPrefix: other, latenessMs: 0 });
    try {
      await ledger.recordFlush({ partition: 0, hours: [T], maxTs: T + 10_000 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(
        await ledger.recordFlush({ partition: 1, hours: [T + 5 * HOUR_MS], maxTs: T + 5 * HOUR_MS }),
      ).toBe(T);
    } finally {
      await deleteKeys(redis, other);
    }
  });
});
