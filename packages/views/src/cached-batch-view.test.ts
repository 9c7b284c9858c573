import { aggregateOf, HOUR_MS, MINUTE_MS, type Resolution } from '@lambda-iot/core';
import { CachedBatchView } from './cached-batch-view';
import { InMemoryBatchView } from './in-memory-views';

const T0 = Date.UTC(2024, 5, 1);
const KEY = { deviceId: 'dev-1', metric: 'temperature' };

function fixture(): {
  inner: InMemoryBatchView;
  version: { v: string };
  hits: boolean[];
  view: CachedBatchView;
} {
  const inner = new InMemoryBatchView();
  for (let i = 0; i < 10; i++)
    inner.put(KEY, '1m', T0 + i * MINUTE_MS, aggregateOf([{ ts: T0 + i * MINUTE_MS, value: i }]));
  const version = { v: 'v1' };
  const hits: boolean[] = [];
  const view = new CachedBatchView({
    view: inner,
    versionOf: async (_res: Resolution) => version.v,
    maxPoints: 100,
    onLookup: (hit) => hits.push(hit),
  });
  return { inner, version, hits, view };
}

describe('CachedBatchView', () => {
  it('answers a repeated read from the cache with the same frozen answer', async () => {
    const { inner, hits, view } = fixture();
    const first = await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS);
    const second = await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS);
    expect(first).toHaveLength(10);
    expect(second).toBe(first);
    expect(Object.isFrozen(second)).toBe(true);
    expect(hits).toEqual([false, true]);
    expect(inner.reads).toHaveLength(1);
  });

  it('reads again when the version of the range changed (a recompute published)', async () => {
    const { inner, version, view } = fixture();
    await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS);
    inner.put(KEY, '1m', T0 + 20 * MINUTE_MS, aggregateOf([{ ts: T0 + 20 * MINUTE_MS, value: 5 }]));
    version.v = 'v2';
    expect(await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS)).toHaveLength(11);
    expect(inner.reads).toHaveLength(2);
  });

  it('does not keep an answer whose version changed while it was read', async () => {
    const { inner, version, view } = fixture();
    const read = view.readSeries(KEY, '1m', T0, T0 + HOUR_MS);
    version.v = 'v2';
    await read;
    await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS);
    await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS);
    expect(inner.reads).toHaveLength(2);
  });

  it('keys answers by series and range', async () => {
    const { inner, view } = fixture();
    await view.readSeries(KEY, '1m', T0, T0 + HOUR_MS);
    await view.readSeries(KEY, '1m', T0, T0 + 5 * MINUTE_MS);
    expect(await view.readSeries({ ...KEY, deviceId: 'dev-2' }, '1m', T0, T0 + HOUR_MS)).toEqual([]);
    expect(inner.reads).toHaveLength(3);
  });
});
