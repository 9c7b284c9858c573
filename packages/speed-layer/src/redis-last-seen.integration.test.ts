import { createRedis } from '@lambda-iot/connections';
import { aggregateOf, MINUTE_MS } from '@lambda-iot/core';
import { deleteKeys, testRedisConfig, uniqueName } from '@lambda-iot/testkit';
import { RedisLastSeen } from './redis-last-seen';
import { RedisWindowSink } from './redis-window-sink';
import type { WindowUpdate } from './window-sink';

const T0 = Date.UTC(2026, 10, 25, 9, 0, 0);

function update(deviceId: string, minute: number, readingTs: number[]): WindowUpdate {
  return {
    deviceId,
    metric: 'temp',
    windowStart: T0 + minute * MINUTE_MS,
    aggregate: aggregateOf(readingTs.map((ts) => ({ ts, value: 1 }))),
    final: false,
  };
}

describe('RedisLastSeen (written by RedisWindowSink)', () => {
  const keyPrefix = `${uniqueName('t_last_seen')}:`;
  const redis = createRedis(testRedisConfig(keyPrefix));
  const sink = new RedisWindowSink({ redis, keyPrefix });
  const lastSeen = new RedisLastSeen({ redis, keyPrefix });

  afterAll(async () => {
    await deleteKeys(redis, keyPrefix);
    redis.disconnect();
  });

  it('reports each device’s latest reading time, never lowered by an older window written later', async () => {
    await sink.write([
      update('a', 0, [T0 + 1_000, T0 + 59_000]),
      update('a', 1, [T0 + MINUTE_MS + 5_000]),
      update('b', 0, [T0 + 30_000]),
    ]);
    await sink.write([update('a', 0, [T0 + 1_000, T0 + 2_000, T0 + 59_000])]);

    const seen = await lastSeen.lastSeen(['a', 'b', 'never-seen']);

    expect(Object.fromEntries(seen)).toEqual({ a: T0 + MINUTE_MS + 5_000, b: T0 + 30_000 });
  });
});
