import { RedisPipelineStatus } from './redis-pipeline-status';

/** The four Redis reads the status needs, over plain data (the integration test uses real Redis). */
function fakeRedis(data: {
  hash?: Record<string, string>;
  dirty?: string[];
  sealed?: string | null;
}): ConstructorParameters<typeof RedisPipelineStatus>[0] & { keys: string[] } {
  const keys: string[] = [];
  return {
    keys,
    hgetall: (async (key: string) => (keys.push(key), data.hash ?? {})) as never,
    zrange: (async (key: string, start: number, stop: number) => (
      keys.push(key),
      (data.dirty ?? []).slice(start, stop + 1)
    )) as never,
    zcard: (async (key: string) => (keys.push(key), (data.dirty ?? []).length)) as never,
    get: (async (key: string) => (keys.push(key), data.sealed ?? null)) as never,
  };
}

describe('RedisPipelineStatus', () => {
  it('reads partitions, dirty hours and sealed-through under the key prefix', async () => {
    const redis = fakeRedis({
      hash: {
        '1': JSON.stringify({ watermark: 200, lag: 3, late: 1, duplicates: 0, openWindows: 4, updatedAt: 9 }),
        '0': JSON.stringify({ watermark: 100, lag: 0, late: 0, duplicates: 2, openWindows: 1, updatedAt: 8 }),
      },
      dirty: ['7200000', '3600000', '10800000'],
      sealed: '14400000',
    });
    const status = new RedisPipelineStatus(redis, { keyPrefix: 'p:', dirtyHourLimit: 2 });
    await expect(status.read()).resolves.toEqual({
      partitions: [
        { partition: 0, watermark: 100, lag: 0, late: 0, duplicates: 2, openWindows: 1, updatedAt: 8 },
        { partition: 1, watermark: 200, lag: 3, late: 1, duplicates: 0, openWindows: 4, updatedAt: 9 },
      ],
      dirtyHours: [3_600_000, 7_200_000],
      dirtyHourCount: 3,
      sealedThrough: 14_400_000,
    });
    expect(new Set(redis.keys)).toEqual(
      new Set(['p:speed:partitions', 'p:archive:dirty-hours', 'p:archive:sealed-through']),
    );
  });

  it('skips malformed partition entries and reports nothing sealed before the first seal', async () => {
    const redis = fakeRedis({ hash: { x: '{}', '2': 'not json', '3': '{"lag":"many","watermark":5}' } });
    await expect(new RedisPipelineStatus(redis, { keyPrefix: '' }).read()).resolves.toEqual({
      partitions: [
        { partition: 3, watermark: 5, lag: 0, late: 0, duplicates: 0, openWindows: 0, updatedAt: 0 },
      ],
      dirtyHours: [],
      dirtyHourCount: 0,
      sealedThrough: null,
    });
  });
});
