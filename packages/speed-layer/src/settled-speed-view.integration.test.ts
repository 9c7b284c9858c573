import { createRedis } from '@lambda-iot/connections';
import { aggregateOf, MINUTE_MS } from '@lambda-iot/core';
import { deleteKeys, testRedisConfig, uniqueName } from '@lambda-iot/testkit';
import { RedisSpeedView } from './redis-speed-view';
import { RedisWindowSink } from './redis-window-sink';
import { SettledSpeedView } from './settled-speed-view';
import type { WindowUpdate } from './window-sink';

// Ten minutes before a UTC midnight, so reads cross a day hash boundary.
const T0 = Date.UTC(2026, 5, 1, 23, 50, 0);
const key = { deviceId: 'dev-1', metric: 'temp' };

function update(minute: number, value: number, final: boolean): WindowUpdate {
  const windowStart = T0 + minute * MINUTE_MS;
  return {
    ...key,
    windowStart,
    aggregate: aggregateOf([{ ts: windowStart + 5, value }]),
    final,
  };
}

describe('RedisSpeedView minute reads and SettledSpeedView on real Redis', () => {
  const keyPrefix = `${uniqueName('t_settled')}:`;
  const redis = createRedis(testRedisConfig(keyPrefix));
  const sink = new RedisWindowSink({ redis, keyPrefix });
  const view = new RedisSpeedView({ redis, keyPrefix });

  afterAll(async () => {
    await deleteKeys(redis, keyPrefix);
    redis.disconnect();
  });

  it('reads part of a day field by field, with each window’s final flag, across a day boundary', async () => {
    await sink.write([update(0, 1, true), update(8, 2, true), update(9, 3, false), update(12, 4, false)]);

    const read = await view.readMinuteWindows(key, T0 + 8 * MINUTE_MS, T0 + 13 * MINUTE_MS);

    expect(read.complete).toBe(true);
    expect(read.minutes.map((m) => [m.windowStart - T0, m.final, m.aggregate.sum])).toEqual([
      [8 * MINUTE_MS, true, 2],
      [9 * MINUTE_MS, false, 3],
      [12 * MINUTE_MS, false, 4],
    ]);
  });

  it('says a read is incomplete when a day hash of the range does not exist', async () => {
    const read = await view.readMinuteWindows(
      { deviceId: 'nobody', metric: 'temp' },
      T0,
      T0 + 13 * MINUTE_MS,
    );
    expect(read).toEqual({ minutes: [], complete: false });
  });

  it('answers what Redis holds while a writer keeps adding and closing windows', async () => {
    const series = { deviceId: 'dev-2', metric: 'temp' };
    const settled = new SettledSpeedView({ source: view, maxPoints: 10_000 });
    const write = (minute: number, value: number, final: boolean): Promise<void> =>
      sink.write([{ ...update(minute, value, final), ...series }]);
    const from = T0;
    const to = T0 + 30 * MINUTE_MS;
    // A speed layer in miniature: minute m receives readings while open, and closes two minutes later.
    for (let m = 0; m < 30; m++) {
      await write(m, m, false);
      if (m >= 2) await write(m - 2, m - 2, true);
      const answer = await settled.readSeries(series, '1m', from, to);
      expect(answer).toEqual(await view.readSeries(series, '1m', from, to));
    }
  });
});
