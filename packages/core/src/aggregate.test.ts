import fc from 'fast-check';
import {
  addToAggregate,
  aggregateOf,
  aggregatesEqual,
  cloneAggregate,
  deriveStats,
  emptyAggregate,
  isEmptyAggregate,
  mergeAggregates,
  mergeInto,
  rollup,
  type Aggregate,
} from './aggregate';
import { DAY_MS, windowStart, type Resolution } from './window';

interface Point {
  ts: number;
  value: number;
}

// Two hours before a UTC midnight, so generated readings cross hour and day boundaries.
const BASE = Date.UTC(2024, 0, 1) - 2 * 3_600_000;

const tsArb = fc
  .oneof(
    fc.integer({ min: 0, max: 3 * DAY_MS }), // spread over days
    fc.integer({ min: 0, max: 5 * 60_000 }), // crowded into a few minutes
    fc.constantFrom(0, 59_999, 60_000, 7_199_999, 7_200_000), // piled on window edges, sharing ts
  )
  .map((offset) => BASE + offset);

const smallIntArb = fc.integer({ min: -1000, max: 1000 });
const floatArb = fc.double({ min: -1e6, max: 1e6, noNaN: true });

function pointsArb(valueArb: fc.Arbitrary<number>, maxLength = 60): fc.Arbitrary<Point[]> {
  return fc.array(fc.record({ ts: tsArb, value: valueArb }), { maxLength });
}

/** A reordering of the points and a split of it into consecutive chunks (the batches a consumer sees). */
function shuffledChunksArb(points: Point[]): fc.Arbitrary<Point[][]> {
  return fc
    .tuple(
      fc.shuffledSubarray(points, { minLength: points.length, maxLength: points.length }),
      fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, points.length - 1) }), { maxLength: 6 }),
    )
    .map(([shuffled, cuts]) => {
      const bounds = [0, ...cuts.filter((c) => c < shuffled.length).sort((a, b) => a - b), shuffled.length];
      return bounds.slice(1).map((end, i) => shuffled.slice(bounds[i], end));
    });
}

function byWindow(points: readonly Point[], res: Resolution): Map<number, Aggregate> {
  const out = new Map<number, Aggregate>();
  for (const p of points) {
    const key = windowStart(p.ts, res);
    let agg = out.get(key);
    if (agg === undefined) out.set(key, (agg = emptyAggregate()));
    addToAggregate(agg, p.ts, p.value);
  }
  return out;
}

/** What the layers do: per-minute aggregates per chunk, merged across chunks. */
function minutesFromChunks(chunks: readonly Point[][]): Map<number, Aggregate> {
  const merged = new Map<number, Aggregate>();
  for (const chunk of chunks) {
    for (const [start, agg] of byWindow(chunk, '1m')) {
      const existing = merged.get(start);
      if (existing === undefined) merged.set(start, agg);
      else mergeInto(existing, agg);
    }
  }
  return merged;
}

function entries(map: Map<number, Aggregate>): { windowStart: number; agg: Aggregate }[] {
  return [...map].map(([start, agg]) => ({ windowStart: start, agg }));
}

function expectSameWindows(
  actual: Map<number, Aggregate>,
  expected: Map<number, Aggregate>,
  exact: boolean,
): void {
  expect([...actual.keys()].sort((a, b) => a - b)).toEqual([...expected.keys()].sort((a, b) => a - b));
  for (const [start, want] of expected) {
    const got = actual.get(start) as Aggregate;
    if (exact) {
      expect(got).toEqual(want);
    } else {
      const { sum: _s, sumSq: _q, ...exactFields } = want;
      expect(got).toMatchObject(exactFields);
      expect(aggregatesEqual(got, want)).toBe(true);
    }
  }
}

function reference(points: readonly Point[]): Pick<Aggregate, 'first' | 'firstTs' | 'last' | 'lastTs'> {
  const sorted = [...points].sort((a, b) => a.ts - b.ts || a.value - b.value);
  const first = sorted[0] as Point;
  const last = sorted[sorted.length - 1] as Point;
  return { first: first.value + 0, firstTs: first.ts, last: last.value + 0, lastTs: last.ts };
}

describe('emptyAggregate', () => {
  it('is the merge identity: zero counts and sums, infinite bounds pointing the right way', () => {
    expect(emptyAggregate()).toEqual({
      count: 0,
      sum: 0,
      min: Infinity,
      max: -Infinity,
      sumSq: 0,
      first: Infinity,
      firstTs: Infinity,
      last: -Infinity,
      lastTs: -Infinity,
    });
    expect(isEmptyAggregate(emptyAggregate())).toBe(true);
  });

  it('returns a new object each time', () => {
    const a = emptyAggregate();
    addToAggregate(a, 1, 1);
    expect(emptyAggregate().count).toBe(0);
  });
});

describe('addToAggregate', () => {
  it('makes the first reading every statistic', () => {
    const agg = emptyAggregate();
    addToAggregate(agg, 1000, 3);
    expect(agg).toEqual({
      count: 1,
      sum: 3,
      min: 3,
      max: 3,
      sumSq: 9,
      first: 3,
      firstTs: 1000,
      last: 3,
      lastTs: 1000,
    });
    expect(isEmptyAggregate(agg)).toBe(false);
  });

  it('tracks first and last by event time, not by arrival', () => {
    const agg = aggregateOf([
      { ts: 2000, value: 20 },
      { ts: 1000, value: 10 },
      { ts: 3000, value: 30 },
      { ts: 1500, value: 15 },
    ]);
    expect(agg).toEqual({
      count: 4,
      sum: 75,
      min: 10,
      max: 30,
      sumSq: 1625,
      first: 10,
      firstTs: 1000,
      last: 30,
      lastTs: 3000,
    });
  });

  it('breaks ties on ts by value: first takes the smallest, last the largest', () => {
    const agg = aggregateOf([
      { ts: 1000, value: 5 },
      { ts: 1000, value: -2 },
      { ts: 1000, value: 7 },
    ]);
    expect(agg).toMatchObject({ first: -2, firstTs: 1000, last: 7, lastTs: 1000 });
  });

  it('folds -0 into 0, so which zero arrives first cannot matter', () => {
    const a = aggregateOf([
      { ts: 1, value: -0 },
      { ts: 1, value: 0 },
    ]);
    const b = aggregateOf([
      { ts: 1, value: 0 },
      { ts: 1, value: -0 },
    ]);
    expect(a).toEqual(b);
    expect(Object.is(a.min, 0) && Object.is(a.first, 0)).toBe(true);
  });
});

describe('aggregateOf', () => {
  it('of nothing is the empty aggregate', () => {
    expect(aggregateOf([])).toEqual(emptyAggregate());
  });

  it('accepts any iterable', () => {
    function* points(): Generator<Point> {
      yield { ts: 1, value: 1 };
      yield { ts: 2, value: 2 };
    }
    expect(aggregateOf(points()).count).toBe(2);
  });

  it('gives first and last as the smallest and largest (ts, value) pairs, for any order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ts: fc.constantFrom(10, 20, 30), value: fc.constantFrom(-1, 0, 1, 2.5, -0) }), {
          minLength: 1,
          maxLength: 12,
        }),
        (points) => {
          expect(aggregateOf(points)).toMatchObject(reference(points));
        },
      ),
    );
  });
});

describe('mergeInto', () => {
  it('adds src into target and leaves src untouched', () => {
    const target = aggregateOf([{ ts: 1000, value: 1 }]);
    const src = aggregateOf([{ ts: 500, value: 4 }]);
    const srcBefore = cloneAggregate(src);
    mergeInto(target, src);
    expect(target).toEqual(
      aggregateOf([
        { ts: 1000, value: 1 },
        { ts: 500, value: 4 },
      ]),
    );
    expect(src).toEqual(srcBefore);
  });
});

describe('mergeAggregates', () => {
  it('returns a new aggregate and modifies neither input', () => {
    const a = aggregateOf([{ ts: 1, value: 1 }]);
    const b = aggregateOf([{ ts: 2, value: 2 }]);
    const [aBefore, bBefore] = [cloneAggregate(a), cloneAggregate(b)];
    const merged = mergeAggregates(a, b);
    expect(merged).not.toBe(a);
    expect(merged.count).toBe(2);
    expect(a).toEqual(aBefore);
    expect(b).toEqual(bBefore);
  });

  it('has the empty aggregate as identity on both sides', () => {
    fc.assert(
      fc.property(pointsArb(floatArb), (points) => {
        const a = aggregateOf(points);
        expect(mergeAggregates(emptyAggregate(), a)).toEqual(a);
        expect(mergeAggregates(a, emptyAggregate())).toEqual(a);
      }),
    );
  });

  it('is commutative, exactly, even for float values', () => {
    fc.assert(
      fc.property(pointsArb(floatArb), pointsArb(floatArb), (p, q) => {
        const [a, b] = [aggregateOf(p), aggregateOf(q)];
        expect(mergeAggregates(a, b)).toEqual(mergeAggregates(b, a));
      }),
    );
  });

  it('is associative: exactly for small integers, within tolerance for floats', () => {
    fc.assert(
      fc.property(pointsArb(smallIntArb), pointsArb(smallIntArb), pointsArb(smallIntArb), (p, q, r) => {
        const [a, b, c] = [aggregateOf(p), aggregateOf(q), aggregateOf(r)];
        expect(mergeAggregates(mergeAggregates(a, b), c)).toEqual(mergeAggregates(a, mergeAggregates(b, c)));
      }),
    );
    fc.assert(
      fc.property(pointsArb(floatArb), pointsArb(floatArb), pointsArb(floatArb), (p, q, r) => {
        const [a, b, c] = [aggregateOf(p), aggregateOf(q), aggregateOf(r)];
        const left = mergeAggregates(mergeAggregates(a, b), c);
        const right = mergeAggregates(a, mergeAggregates(b, c));
        expect(aggregatesEqual(left, right)).toBe(true);
      }),
    );
  });

  it('of two halves equals the aggregate of the whole', () => {
    fc.assert(
      fc.property(pointsArb(smallIntArb), fc.nat(), (points, at) => {
        const cut = points.length === 0 ? 0 : at % points.length;
        const merged = mergeAggregates(aggregateOf(points.slice(0, cut)), aggregateOf(points.slice(cut)));
        expect(merged).toEqual(aggregateOf(points));
      }),
    );
  });
});

describe('per-minute aggregation, merged and rolled up, equals aggregating the raw readings', () => {
  function check(valueArb: fc.Arbitrary<number>, exact: boolean): void {
    fc.assert(
      fc.property(
        pointsArb(valueArb, 120).chain((points) => fc.tuple(fc.constant(points), shuffledChunksArb(points))),
        ([points, chunks]) => {
          const minutes = minutesFromChunks(chunks);
          expectSameWindows(minutes, byWindow(points, '1m'), exact);

          const hours = rollup(entries(minutes), '1h');
          expectSameWindows(hours, byWindow(points, '1h'), exact);

          const days = rollup(entries(hours), '1d');
          expectSameWindows(days, byWindow(points, '1d'), exact);
          expectSameWindows(rollup(entries(minutes), '1d'), byWindow(points, '1d'), exact);

          const total = [...days.values()].reduce(mergeAggregates, emptyAggregate());
          if (exact) expect(total).toEqual(aggregateOf(points));
          else expect(aggregatesEqual(total, aggregateOf(points))).toBe(true);
          if (points.length > 0) expect(total).toMatchObject(reference(points));
        },
      ),
      { numRuns: 300 },
    );
  }

  it('for small integer values, exactly, whatever the order and split into batches', () => {
    check(smallIntArb, true);
  });

  it('for float values, exactly on count/min/max/first/last and within tolerance on sum/sumSq', () => {
    check(floatArb, false);
  });

  it('with many readings sharing ts, first/last do not depend on order', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.record({ ts: fc.constantFrom(BASE, BASE + 1, BASE + 60_000), value: smallIntArb }), {
            minLength: 1,
            maxLength: 30,
          })
          .chain((points) => fc.tuple(fc.constant(points), shuffledChunksArb(points))),
        ([points, chunks]) => {
          const total = [...minutesFromChunks(chunks).values()].reduce(mergeAggregates, emptyAggregate());
          expect(total).toEqual(aggregateOf(points));
          expect(total).toMatchObject(reference(points));
        },
      ),
    );
  });
});

describe('rollup', () => {
  it('merges finer windows into the coarser window holding each start', () => {
    const h = Date.UTC(2024, 5, 1, 10);
    const result = rollup(
      [
        { windowStart: h, agg: aggregateOf([{ ts: h + 5, value: 1 }]) },
        { windowStart: h + 59 * 60_000, agg: aggregateOf([{ ts: h + 59 * 60_000 + 1, value: 3 }]) },
        { windowStart: h + 3_600_000, agg: aggregateOf([{ ts: h + 3_600_000, value: 7 }]) },
      ],
      '1h',
    );
    expect([...result.keys()]).toEqual([h, h + 3_600_000]);
    expect(result.get(h)).toMatchObject({ count: 2, sum: 4, first: 1, last: 3 });
    expect(result.get(h + 3_600_000)).toMatchObject({ count: 1, sum: 7 });
  });

  it('does not modify its inputs', () => {
    const agg = aggregateOf([{ ts: 1, value: 1 }]);
    const before = cloneAggregate(agg);
    const result = rollup(
      [
        { windowStart: 0, agg },
        { windowStart: 60_000, agg },
      ],
      '1h',
    );
    expect(agg).toEqual(before);
    expect(result.get(0)?.count).toBe(2);
  });

  it('of nothing is an empty map', () => {
    expect(rollup([], '1d').size).toBe(0);
  });
});

describe('deriveStats', () => {
  it('gives the mean and population standard deviation', () => {
    const agg = aggregateOf([2, 4, 4, 4, 5, 5, 7, 9].map((value, ts) => ({ ts, value })));
    expect(deriveStats(agg)).toEqual({ mean: 5, stddev: 2 });
  });

  it('gives stddev exactly 0 when every value is equal, despite rounding', () => {
    const agg = aggregateOf([0.1, 0.1, 0.1].map((value, ts) => ({ ts, value })));
    expect(deriveStats(agg).stddev).toBe(0);
  });

  it('clamps a variance that rounding pushed below zero to 0', () => {
    const agg: Aggregate = {
      ...aggregateOf([
        { ts: 0, value: 1 },
        { ts: 1, value: 1 + 1e-12 },
      ]),
      sumSq: 2,
    };
    expect(deriveStats(agg).stddev).toBe(0);
  });

  it('is NaN for an empty aggregate, which nobody should ask about', () => {
    expect(deriveStats(emptyAggregate())).toEqual({ mean: NaN, stddev: NaN });
  });

  it('is never negative and never NaN for non-empty aggregates', () => {
    fc.assert(
      fc.property(
        pointsArb(floatArb).filter((p) => p.length > 0),
        (points) => {
          const { mean, stddev } = deriveStats(aggregateOf(points));
          expect(Number.isFinite(mean)).toBe(true);
          expect(stddev).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});

describe('aggregatesEqual', () => {
  const a = aggregateOf([
    { ts: 1, value: 1.5 },
    { ts: 2, value: 2.5 },
  ]);

  it('is true for identical aggregates, including two empty ones', () => {
    expect(aggregatesEqual(a, cloneAggregate(a))).toBe(true);
    expect(aggregatesEqual(emptyAggregate(), emptyAggregate())).toBe(true);
  });

  it.each(['count', 'min', 'max', 'first', 'firstTs', 'last', 'lastTs'] as const)(
    'is exact on %s',
    (field) => {
      expect(aggregatesEqual(a, { ...a, [field]: a[field] + 1e-12 })).toBe(false);
    },
  );

  it('tolerates rounding differences on sum and sumSq, but not real differences', () => {
    expect(aggregatesEqual(a, { ...a, sum: a.sum * (1 + 1e-12), sumSq: a.sumSq * (1 - 1e-12) })).toBe(true);
    expect(aggregatesEqual(a, { ...a, sum: a.sum * (1 + 1e-6) })).toBe(false);
    expect(aggregatesEqual(a, { ...a, sumSq: a.sumSq + 1 })).toBe(false);
    expect(aggregatesEqual(a, { ...a, sum: a.sum * (1 + 1e-6) }, 1e-3)).toBe(true);
  });

  it('scales the sum tolerance by the values, so a sum cancelled to near zero still compares', () => {
    // The same three values added in two orders: the sums differ by far more than 1e-9 of themselves, by rounding alone.
    const x = aggregateOf([1e6, 1e-3, -1e6].map((value) => ({ ts: 0, value })));
    const y = aggregateOf([1e6, -1e6, 1e-3].map((value) => ({ ts: 0, value })));
    expect(Math.abs(x.sum - y.sum) / y.sum).toBeGreaterThan(1e-9);
    expect(aggregatesEqual(x, y)).toBe(true);
  });
});
