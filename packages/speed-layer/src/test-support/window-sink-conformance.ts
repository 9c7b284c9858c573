// The behaviour every WindowSink must show, run against each implementation with the reader of its store.
import { aggregateOf, HOUR_MS, MINUTE_MS, type Aggregate } from '@lambda-iot/core';
import type { SpeedView } from '@lambda-iot/views';
import type { WindowSink, WindowUpdate } from '../window-sink';

export interface SinkUnderTest {
  sink: WindowSink;
  reader: SpeedView;
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2026, 2, 3, 23, 58, 0); // two minutes before midnight: ranges span two day partitions

function update(deviceId: string, windowStart: number, values: number[], final = false): WindowUpdate {
  return {
    deviceId,
    metric: 'temp:c',
    windowStart,
    aggregate: aggregateOf(values.map((value, i) => ({ ts: windowStart + i * 1_000, value }))),
    final,
  };
}

export function describeWindowSinkConformance(name: string, factory: () => Promise<SinkUnderTest>): void {
  describe(`WindowSink conformance: ${name}`, () => {
    let t: SinkUnderTest;
    beforeAll(async () => {
      t = await factory();
    });
    afterAll(async () => {
      await t.cleanup();
    });

    const read = (
      deviceId: string,
      from = T0 - HOUR_MS,
      to = T0 + HOUR_MS,
    ): Promise<Array<[number, Aggregate]>> =>
      t.reader
        .readSeries({ deviceId, metric: 'temp:c' }, '1m', from, to)
        .then((ps) => ps.map((p) => [p.windowStart, p.aggregate]));

    it('writes windows and reads them back exactly, sorted, across a day boundary', async () => {
      const ups = [
        update('dev:a', T0 + 2 * MINUTE_MS, [3, -1.5]),
        update('dev:a', T0, [0.1, 0.2, 0.30000000000000004]),
        update('dev:a', T0 + MINUTE_MS, [7]),
      ];
      await t.sink.write(ups);
      expect(await read('dev:a')).toEqual(
        [ups[1], ups[2], ups[0]].map((u) => [u!.windowStart, u!.aggregate]),
      );
      expect(await read('dev:a', T0 + MINUTE_MS, T0 + 2 * MINUTE_MS)).toEqual([
        [T0 + MINUTE_MS, ups[2]!.aggregate],
      ]);
    });

    it('overwrites the whole aggregate, so writing the same state twice changes nothing', async () => {
      await t.sink.write([update('dev:b', T0, [1, 2])]);
      await t.sink.write([update('dev:b', T0, [1, 2, 5], true)]);
      await t.sink.write([update('dev:b', T0, [1, 2, 5], true)]);
      expect(await read('dev:b')).toEqual([
        [
          T0,
          aggregateOf([
            { ts: T0, value: 1 },
            { ts: T0 + 1_000, value: 2 },
            { ts: T0 + 2_000, value: 5 },
          ]),
        ],
      ]);
    });

    it('ignores a stale write of a smaller aggregate (a revoked owner finishing late)', async () => {
      await t.sink.write([update('dev:c', T0, [1, 2, 3], true)]);
      await t.sink.write([update('dev:c', T0, [1])]);
      expect((await read('dev:c'))[0]?.[1].count).toBe(3);
    });

    it('keeps series apart and answers an empty range with no points', async () => {
      await t.sink.write([update('dev:d', T0, [1]), { ...update('dev:d', T0, [2, 2]), metric: 'hum' }]);
      expect((await read('dev:d')).map(([, a]) => a.count)).toEqual([1]);
      expect(await read('dev:none')).toEqual([]);
    });

    it('rolls minutes up for hourly reads', async () => {
      await t.sink.write([update('dev:e', T0, [1, 2]), update('dev:e', T0 + MINUTE_MS, [4])]);
      const points = await t.reader.readSeries(
        { deviceId: 'dev:e', metric: 'temp:c' },
        '1h',
        T0 - 58 * MINUTE_MS,
        T0 + 2 * MINUTE_MS,
      );
      expect(points.map((p) => [p.windowStart, p.aggregate.count, p.aggregate.sum])).toEqual([
        [T0 - 58 * MINUTE_MS, 3, 7],
      ]);
    });
  });
}
