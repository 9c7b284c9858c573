import fc from 'fast-check';
import { aggregateOf } from '@lambda-iot/core';
import type { SeriesKey } from '@lambda-iot/views';
import { SettledSpeedView } from './settled-speed-view';
import type { MinuteSource, SpeedMinute } from './speed-minute';
import { toResolution } from './window-points';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 25, 10);
const key: SeriesKey = { deviceId: 'dev-1', metric: 'temperature' };

/** A speed view store that closes windows in event-time order, like the speed layer, and logs every read. */
class ClosingStore implements MinuteSource {
  readonly windows = new Map<number, SpeedMinute>();
  readonly reads: Array<[number, number]> = [];

  put(minute: number, value: number, final: boolean): void {
    const windowStart = T0 + minute * MINUTE;
    this.windows.set(windowStart, {
      windowStart,
      aggregate: aggregateOf([{ ts: windowStart + 1_000, value }]),
      final,
    });
  }

  /** Every window starting before `minute` becomes final, as the watermark passing it does. */
  closeBefore(minute: number): void {
    for (const w of this.windows.values()) if (w.windowStart < T0 + minute * MINUTE) w.final = true;
  }

  async readMinutes(_key: SeriesKey, from: number, to: number): Promise<SpeedMinute[]> {
    this.reads.push([from, to]);
    return [...this.windows.values()]
      .filter((w) => w.windowStart >= from && w.windowStart < to)
      .sort((a, b) => a.windowStart - b.windowStart)
      .map((w) => ({ ...w }));
  }
}

const at = (minute: number): number => T0 + minute * MINUTE;

describe('SettledSpeedView', () => {
  it('reads only the minutes after the last closed window once a series has been read', async () => {
    const store = new ClosingStore();
    for (let m = 0; m < 10; m++) store.put(m, m, m < 7);
    const view = new SettledSpeedView({ source: store, maxPoints: 1_000 });

    const first = await view.readSeries(key, '1m', at(0), at(10));
    const second = await view.readSeries(key, '1m', at(0), at(10));

    expect(first.map((p) => p.windowStart)).toEqual(Array.from({ length: 10 }, (_, m) => at(m)));
    expect(second).toEqual(first);
    expect(store.reads).toEqual([
      [at(0), at(10)],
      [at(7), at(10)],
    ]);
  });

  it('keeps nothing that is not final, so open windows are always read again', async () => {
    const store = new ClosingStore();
    for (let m = 0; m < 5; m++) store.put(m, m, false);
    const view = new SettledSpeedView({ source: store, maxPoints: 1_000 });

    await view.readSeries(key, '1m', at(0), at(5));
    store.put(2, 99, false);
    const again = await view.readSeries(key, '1m', at(0), at(5));

    expect(store.reads).toEqual([
      [at(0), at(5)],
      [at(0), at(5)],
    ]);
    expect(again.find((p) => p.windowStart === at(2))?.aggregate.max).toBe(99);
  });

  it('reads the whole range again when it starts before what is kept', async () => {
    const store = new ClosingStore();
    for (let m = 0; m < 10; m++) store.put(m, m, true);
    const view = new SettledSpeedView({ source: store, maxPoints: 1_000 });

    await view.readSeries(key, '1m', at(5), at(10));
    const wider = await view.readSeries(key, '1m', at(0), at(10));

    expect(store.reads[1]).toEqual([at(0), at(10)]);
    expect(wider).toHaveLength(10);
  });

  it('answers a range wholly inside the kept span without reading the store', async () => {
    const store = new ClosingStore();
    for (let m = 0; m < 10; m++) store.put(m, m, true);
    const view = new SettledSpeedView({ source: store, maxPoints: 1_000 });

    await view.readSeries(key, '1m', at(0), at(10));
    const inner = await view.readSeries(key, '1m', at(2), at(4));

    expect(store.reads).toHaveLength(1);
    expect(inner.map((p) => p.windowStart)).toEqual([at(2), at(3)]);
  });

  it('drops the oldest kept minutes beyond the per-series bound and reads them again when asked', async () => {
    const store = new ClosingStore();
    for (let m = 0; m < 10; m++) store.put(m, m, true);
    const view = new SettledSpeedView({ source: store, maxPoints: 1_000, maxPointsPerSeries: 4 });

    await view.readSeries(key, '1m', at(0), at(10));
    await view.readSeries(key, '1m', at(6), at(10));
    await view.readSeries(key, '1m', at(0), at(10));

    // The second read is inside the four kept minutes; the third starts before them.
    expect(store.reads).toEqual([
      [at(0), at(10)],
      [at(0), at(10)],
    ]);
  });

  it('answers exactly what the store holds, at any resolution, while the speed layer writes and closes windows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({
              kind: fc.constant('put' as const),
              minute: fc.nat(59),
              value: fc.integer({ min: -50, max: 50 }),
            }),
            fc.record({ kind: fc.constant('advance' as const), by: fc.integer({ min: 1, max: 8 }) }),
            fc.record({
              kind: fc.constant('read' as const),
              from: fc.nat(59),
              length: fc.integer({ min: 1, max: 60 }),
              resolution: fc.constantFrom('1m' as const, '1h' as const),
            }),
          ),
          { maxLength: 60 },
        ),
        async (steps) => {
          const store = new ClosingStore();
          const view = new SettledSpeedView({ source: store, maxPoints: 10_000, maxPointsPerSeries: 100 });
          let watermark = 0;
          for (const step of steps) {
            if (step.kind === 'put') {
              // Readings for closed windows are late: the speed layer leaves them to the batch layer.
              if (step.minute >= watermark) store.put(step.minute, step.value, false);
            } else if (step.kind === 'advance') {
              watermark += step.by;
              store.closeBefore(watermark);
            } else {
              const hour = step.resolution === '1h' ? 60 : 1;
              const from = at(Math.floor(step.from / hour) * hour);
              const to = at(Math.ceil((step.from + step.length) / hour) * hour);
              const stored = await store.readMinutes(key, from, to);
              const expected = toResolution(
                stored.map(({ windowStart, aggregate }) => ({ windowStart, aggregate })),
                step.resolution,
              );
              const answer = await view.readSeries(key, step.resolution, from, to);
              expect(answer).toEqual(expected);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
