import { aggregateOf, HOUR_MS, ManualClock, MINUTE_MS } from '@lambda-iot/core';
import { InMemorySpeedView } from './in-memory-views';
import { RecentSpeedView } from './recent-speed-view';

const T0 = Date.UTC(2024, 5, 1);
const KEY = { deviceId: 'dev-1', metric: 'temperature' };

describe('RecentSpeedView', () => {
  it('reuses an answer younger than maxAgeMs and reads again after', async () => {
    const inner = new InMemorySpeedView();
    const clock = new ManualClock(T0);
    const view = new RecentSpeedView({ view: inner, maxAgeMs: 250, maxPoints: 100, now: () => clock.now() });
    inner.put(KEY, '1m', T0, aggregateOf([{ ts: T0, value: 1 }]));
    const first = await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS);
    inner.put(KEY, '1m', T0 + MINUTE_MS, aggregateOf([{ ts: T0 + MINUTE_MS, value: 2 }]));
    clock.advance(249);
    expect(await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS)).toBe(first);
    clock.advance(1);
    expect(await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS)).toHaveLength(2);
    expect(inner.reads).toHaveLength(2);
  });

  it('shares one read among concurrent identical reads, and keeps nothing with maxAgeMs 0', async () => {
    const inner = new InMemorySpeedView();
    const view = new RecentSpeedView({ view: inner, maxAgeMs: 0, maxPoints: 100 });
    await Promise.all([1, 2, 3].map(() => view.readSeries(KEY, '1m', T0, T0 + HOUR_MS)));
    expect(inner.reads).toHaveLength(1);
    await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS);
    expect(inner.reads).toHaveLength(2);
  });

  it('hands out the previous list again when a new read returns the very same windows', async () => {
    const clock = new ManualClock(T0);
    const settled = [{ windowStart: T0, aggregate: aggregateOf([{ ts: T0, value: 1 }]) }];
    let answer = settled;
    const inner = { source: 'speed' as const, readSeries: () => Promise.resolve([...answer]) };
    const view = new RecentSpeedView({ view: inner, maxAgeMs: 250, maxPoints: 100, now: () => clock.now() });

    const first = await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS);
    clock.advance(250);
    const unchanged = await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS);
    answer = [...settled, { windowStart: T0 + MINUTE_MS, aggregate: aggregateOf([{ ts: T0, value: 2 }]) }];
    clock.advance(250);
    const grown = await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS);

    expect(unchanged).toBe(first);
    expect(grown).not.toBe(first);
    expect(grown).toHaveLength(2);
    expect(Object.isFrozen(grown)).toBe(true);
  });
});
