import fc from 'fast-check';
import {
  aggregatesEqual,
  DAY_MS,
  emptyAggregate,
  HOUR_MS,
  mergeInto,
  MINUTE_MS,
  RESOLUTION_MS,
  RESOLUTIONS,
  type Aggregate,
  type Resolution,
} from '@lambda-iot/core';
import { InMemoryBatchBoundary, InMemoryBatchView, InMemorySpeedView } from './in-memory-views';
import { SeriesQuery } from './series-query';
import type { SeriesPoint } from './series-point';
import { batchViewOf, speedViewOf, truth, type TestReading } from './test-support/view-fixture';

const DAY = Date.UTC(2024, 5, 1);
const KEY = { deviceId: 'dev-1', metric: 'temperature' };

/** One reading every 7 minutes over three days, so every hour and day has data. */
function steadyReadings(): TestReading[] {
  const out: TestReading[] = [];
  for (let ts = DAY; ts < DAY + 3 * DAY_MS; ts += 7 * MINUTE_MS) {
    out.push({ ...KEY, ts, value: (ts / MINUTE_MS) % 97 });
  }
  return out;
}

function totalOf(points: readonly { count: number; sum: number; min: number; max: number }[]): {
  count: number;
  sum: number;
} {
  return { count: points.reduce((n, p) => n + p.count, 0), sum: points.reduce((s, p) => s + p.sum, 0) };
}

function expectPointsEqualTruth(points: SeriesPoint[], readings: TestReading[], step: Resolution): void {
  const expected = truth(readings, step).get(`${KEY.deviceId}|${KEY.metric}`) ?? new Map<number, Aggregate>();
  expect(points.map((p) => p.t)).toEqual([...expected.keys()].sort((a, b) => a - b));
  for (const p of points) {
    const e = expected.get(p.t) as Aggregate;
    expect({ t: p.t, count: p.count, min: p.min, max: p.max, first: p.first, last: p.last }).toEqual({
      t: p.t,
      count: e.count,
      min: e.min,
      max: e.max,
      first: e.first,
      last: e.last,
    });
    expect(p.sum).toBeCloseTo(e.sum, 6);
  }
}

describe('SeriesQuery', () => {
  const readings = steadyReadings();
  const b = DAY + DAY_MS + 5 * HOUR_MS;

  it.each(RESOLUTIONS)(
    'answers step %s around an hour-start B exactly like the ground truth',
    async (step) => {
      const query = new SeriesQuery({
        batch: batchViewOf(readings, b),
        speed: speedViewOf(readings),
        boundary: new InMemoryBatchBoundary(b),
      });
      const answer = await query.read(KEY, step, DAY, DAY + 3 * DAY_MS);
      expect(answer.boundary).toBe(b);
      expectPointsEqualTruth(answer.points, readings, step);
      for (const p of answer.points) {
        const batchWindow = p.t + RESOLUTION_MS[step] <= b;
        expect([p.t, p.source, p.final]).toEqual([p.t, batchWindow ? 'batch' : 'speed', batchWindow]);
      }
    },
  );

  it('reads B once, first, so a boundary moving mid-request neither doubles nor drops a point', async () => {
    const boundary = new InMemoryBatchBoundary(b);
    // The batch view already holds the next hours (a recompute finishing); B moves right after it was read.
    const query = new SeriesQuery({
      batch: batchViewOf(readings, b + 6 * HOUR_MS),
      speed: speedViewOf(readings),
      boundary,
    });
    boundary.onRead = () => {
      boundary.boundary = b + 6 * HOUR_MS;
    };
    const first = await query.read(KEY, '1h', DAY, DAY + 3 * DAY_MS);
    const second = await query.read(KEY, '1h', DAY, DAY + 3 * DAY_MS);
    expect([first.boundary, second.boundary]).toEqual([b, b + 6 * HOUR_MS]);
    expectPointsEqualTruth(first.points, readings, '1h');
    expectPointsEqualTruth(second.points, readings, '1h');
    expect(first.points.filter((p) => p.source === 'batch')).toHaveLength(
      second.points.filter((p) => p.source === 'batch').length - 6,
    );
  });

  it('asks the speed view for 1-minute windows only, and only from B on', async () => {
    const speed = speedViewOf(readings);
    const batch = batchViewOf(readings, b);
    const query = new SeriesQuery({ batch, speed, boundary: new InMemoryBatchBoundary(b) });
    await query.read(KEY, '1d', DAY, DAY + 3 * DAY_MS);
    expect(speed.reads).toEqual([{ key: KEY, resolution: '1m', from: b, to: DAY + 3 * DAY_MS }]);
    expect(batch.reads).toEqual(
      expect.arrayContaining([
        { key: KEY, resolution: '1d', from: DAY, to: DAY + DAY_MS },
        { key: KEY, resolution: '1h', from: DAY + DAY_MS, to: b },
      ]),
    );
  });

  it('answers nothing, not an error, when both views are empty', async () => {
    const query = new SeriesQuery({
      batch: new InMemoryBatchView(),
      speed: new InMemorySpeedView(),
      boundary: new InMemoryBatchBoundary(b),
    });
    await expect(query.read(KEY, '1h', DAY, DAY + DAY_MS)).resolves.toMatchObject({ points: [] });
  });

  it('gives the same windows from speed rollups as from the batch view when both hold the same data', async () => {
    for (const step of RESOLUTIONS) {
      const allSpeed = new SeriesQuery({
        batch: batchViewOf(readings),
        speed: speedViewOf(readings),
        boundary: new InMemoryBatchBoundary(0),
      });
      const allBatch = new SeriesQuery({
        batch: batchViewOf(readings),
        speed: new InMemorySpeedView(),
        boundary: new InMemoryBatchBoundary(DAY + 10 * DAY_MS),
      });
      const fromSpeed = await allSpeed.read(KEY, step, DAY, DAY + 3 * DAY_MS);
      const fromBatch = await allBatch.read(KEY, step, DAY, DAY + 3 * DAY_MS);
      expect(fromSpeed.points.every((p) => p.source === 'speed')).toBe(true);
      expect(fromBatch.points.every((p) => p.source === 'batch' && p.final)).toBe(true);
      expect(
        fromSpeed.points.map(({ source: _s, final: _f, sum: _sum, mean: _m, stddev: _sd, ...rest }) => rest),
      ).toEqual(
        fromBatch.points.map(({ source: _s, final: _f, sum: _sum, mean: _m, stddev: _sd, ...rest }) => rest),
      );
      expect(totalOf(fromSpeed.points).sum).toBeCloseTo(totalOf(fromBatch.points).sum, 6);
    }
  });

  it('gives the same windows and totals as an all-batch answer for any boundary B (property)', async () => {
    const start = DAY;
    const span = 3 * DAY_MS;
    const readingArb = fc.record({
      ts: fc.integer({ min: start, max: start + span - 1 }),
      value: fc.integer({ min: -1000, max: 1000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(readingArb, { minLength: 0, maxLength: 60 }),
        // B on any hour (the contract) or, as a stress, any minute; also outside the range on both sides.
        fc.oneof(
          fc.integer({ min: -2, max: 74 }).map((h) => start + h * HOUR_MS),
          fc.integer({ min: 0, max: span / MINUTE_MS }).map((m) => start + m * MINUTE_MS),
        ),
        fc.constantFrom<Resolution>(...RESOLUTIONS),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 3 }),
        async (raw, boundary, step, fromDay, days) => {
          const rs = raw.map((r) => ({ ...KEY, ...r }));
          const from = start + fromDay * DAY_MS;
          const to = Math.min(start + span, from + days * DAY_MS);
          const merged = await new SeriesQuery({
            // Below B the batch view is complete; the speed view holds every minute, below B too.
            batch: batchViewOf(rs, boundary),
            speed: speedViewOf(rs),
            boundary: new InMemoryBatchBoundary(boundary),
          }).read(KEY, step, from, to);
          const allBatch = await new SeriesQuery({
            batch: batchViewOf(rs),
            speed: new InMemorySpeedView(),
            boundary: new InMemoryBatchBoundary(Number.MAX_SAFE_INTEGER),
          }).read(KEY, step, from, to);
          expect(merged.points.map((p) => p.t)).toEqual(allBatch.points.map((p) => p.t));
          const total = (points: SeriesPoint[]): Aggregate => {
            const acc = emptyAggregate();
            for (const p of points)
              mergeInto(acc, { ...emptyAggregate(), count: p.count, sum: p.sum, min: p.min, max: p.max });
            return acc;
          };
          expect(aggregatesEqual(total(merged.points), total(allBatch.points))).toBe(true);
          merged.points.forEach((p, i) => {
            const q = allBatch.points[i] as SeriesPoint;
            expect([p.count, p.min, p.max, p.first, p.last]).toEqual([
              q.count,
              q.min,
              q.max,
              q.first,
              q.last,
            ]);
            expect(p.sum).toBe(q.sum); // integer values: sums are exact in any order
            expect(p.final).toBe(p.t + RESOLUTION_MS[step] <= boundary);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});
