import { aggregateOf, DAY_MS, HOUR_MS, MINUTE_MS, type Aggregate } from '@lambda-iot/core';
import { alignRange, mergeAtBoundary, planReads } from './boundary-merge';
import type { WindowPoint } from './series-view';

const DAY = Date.UTC(2024, 5, 1);
const agg = (...values: number[]): Aggregate =>
  aggregateOf(values.map((value, i) => ({ ts: DAY + i, value })));
const point = (windowStart: number, ...values: number[]): WindowPoint => ({
  windowStart,
  aggregate: agg(...values),
});

describe('alignRange', () => {
  it('aligns from down and to up to the step, and leaves aligned ranges alone', () => {
    expect(alignRange('1h', DAY + 90 * MINUTE_MS, DAY + 150 * MINUTE_MS)).toEqual({
      from: DAY + HOUR_MS,
      to: DAY + 3 * HOUR_MS,
    });
    expect(alignRange('1d', DAY, DAY + DAY_MS)).toEqual({ from: DAY, to: DAY + DAY_MS });
  });
});

describe('planReads', () => {
  it('splits a 1m range at an hour-start boundary: batch below B, speed from B', () => {
    const b = DAY + 5 * HOUR_MS;
    const plan = planReads('1m', DAY, DAY + DAY_MS, b);
    expect(plan.batch).toEqual({ resolution: '1m', from: DAY, to: b });
    expect(plan.straddle).toBeNull();
    expect(plan.speed).toEqual({ resolution: '1m', from: b, to: DAY + DAY_MS });
  });

  it('reads only the speed view when B is at or before the range, or 0 (nothing published)', () => {
    for (const b of [0, DAY - HOUR_MS, DAY]) {
      const plan = planReads('1h', DAY, DAY + DAY_MS, b);
      expect(plan.batch).toBeNull();
      expect(plan.straddle).toBeNull();
      expect(plan.speed).toEqual({ resolution: '1m', from: DAY, to: DAY + DAY_MS });
    }
  });

  it('reads only the batch view when B is at or after the end of the range', () => {
    const plan = planReads('1d', DAY, DAY + 2 * DAY_MS, DAY + 5 * DAY_MS);
    expect(plan.batch).toEqual({ resolution: '1d', from: DAY, to: DAY + 2 * DAY_MS });
    expect(plan.straddle).toBeNull();
    expect(plan.speed).toBeNull();
  });

  it('splits the day that a mid-day B cuts into batch hours before B and speed minutes from B', () => {
    const b = DAY + DAY_MS + 7 * HOUR_MS;
    const plan = planReads('1d', DAY, DAY + 3 * DAY_MS, b);
    expect(plan.batch).toEqual({ resolution: '1d', from: DAY, to: DAY + DAY_MS });
    expect(plan.straddle).toEqual({ resolution: '1h', from: DAY + DAY_MS, to: b });
    expect(plan.speed).toEqual({ resolution: '1m', from: b, to: DAY + 3 * DAY_MS });
  });

  it('moves a B inside a minute down to the minute, so that minute is answered once, by the speed view', () => {
    const plan = planReads('1h', DAY, DAY + 2 * HOUR_MS, DAY + 30 * MINUTE_MS + 15_000);
    expect(plan.split).toBe(DAY + 30 * MINUTE_MS);
    expect(plan.batch).toBeNull();
    expect(plan.straddle).toEqual({ resolution: '1m', from: DAY, to: DAY + 30 * MINUTE_MS });
    expect(plan.speed).toEqual({ resolution: '1m', from: DAY + 30 * MINUTE_MS, to: DAY + 2 * HOUR_MS });
  });
});

describe('mergeAtBoundary', () => {
  const b = DAY + 2 * HOUR_MS;

  it('answers the window starting exactly at B from the speed view, not final', () => {
    const plan = planReads('1m', b - 2 * MINUTE_MS, b + 2 * MINUTE_MS, b);
    const merged = mergeAtBoundary(plan, {
      // A stale batch window at B (a view answering beyond its span) must be ignored.
      batch: [point(b - MINUTE_MS, 1), point(b, 100)],
      straddle: [],
      speed: [point(b - MINUTE_MS, 50), point(b, 2)],
    });
    expect(merged.map((w) => [w.windowStart, w.aggregate.sum, w.source, w.final])).toEqual([
      [b - MINUTE_MS, 1, 'batch', true],
      [b, 2, 'speed', false],
    ]);
  });

  it('rolls speed minutes up into hours above B and never mixes them into a batch hour', () => {
    const plan = planReads('1h', DAY, DAY + 4 * HOUR_MS, b);
    const merged = mergeAtBoundary(plan, {
      batch: [point(DAY, 1, 2), point(DAY + HOUR_MS, 3)],
      straddle: [],
      // The speed view still holds a minute below B: it is already in the batch hour and must not count twice.
      speed: [point(b - MINUTE_MS, 3), point(b, 4), point(b + 59 * MINUTE_MS, 5), point(b + HOUR_MS, 6)],
    });
    expect(merged.map((w) => [w.windowStart, w.aggregate.count, w.aggregate.sum, w.source, w.final])).toEqual(
      [
        [DAY, 2, 3, 'batch', true],
        [DAY + HOUR_MS, 1, 3, 'batch', true],
        [b, 2, 9, 'speed', false],
        [b + HOUR_MS, 1, 6, 'speed', false],
      ],
    );
  });

  it('answers the day B cuts as batch hours before B merged with speed minutes from B: speed, not final', () => {
    const mid = DAY + 7 * HOUR_MS;
    const plan = planReads('1d', DAY - DAY_MS, DAY + DAY_MS, mid);
    const merged = mergeAtBoundary(plan, {
      batch: [point(DAY - DAY_MS, 10)],
      straddle: [point(DAY, 1), point(DAY + 6 * HOUR_MS, 2), point(mid, 1000)],
      speed: [
        point(DAY + 6 * HOUR_MS + 30 * MINUTE_MS, 1000),
        point(mid, 3),
        point(DAY + DAY_MS - MINUTE_MS, 4),
      ],
    });
    expect(merged).toHaveLength(2);
    expect(merged[0]).toMatchObject({ windowStart: DAY - DAY_MS, source: 'batch', final: true });
    expect(merged[1]).toMatchObject({ windowStart: DAY, source: 'speed', final: false });
    expect(merged[1]?.aggregate).toMatchObject({ count: 4, sum: 10, min: 1, max: 4 });
  });

  it('returns nothing when both views are empty, and skips windows with count 0', () => {
    const plan = planReads('1h', DAY, DAY + DAY_MS, b);
    expect(mergeAtBoundary(plan, { batch: [], straddle: [], speed: [] })).toEqual([]);
    const empty = { windowStart: DAY, aggregate: { ...agg(1), count: 0, sum: 0 } };
    expect(mergeAtBoundary(plan, { batch: [empty], straddle: [], speed: [] })).toEqual([]);
  });

  it('does not modify the views’ aggregates', () => {
    const plan = planReads('1h', DAY, DAY + 4 * HOUR_MS, b);
    const speed = [point(b, 1), point(b + MINUTE_MS, 2)];
    const before = structuredClone(speed);
    mergeAtBoundary(plan, { batch: [], straddle: [], speed });
    expect(speed).toEqual(before);
  });
});
