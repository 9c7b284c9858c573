import { HOUR_MS } from '@lambda-iot/core';
import { computeBoundary, dayInputs, isDayCurrent, type HourEntry } from './manifest';
import { planSchedule } from './batch-scheduler';
import { recomputeJobId, rollupJobId } from './batch-queue';

const D = Date.UTC(2026, 0, 1);
const h = (i: number): number => D + i * HOUR_MS;
const entry = (version: string, gen: number): HourEntry => ({ version, gen, rows: 1, publishedAt: 0 });

describe('computeBoundary', () => {
  const base = {
    hours: [h(1), h(2), h(4)],
    generations: new Map([
      [h(1), 1],
      [h(2), 2],
      [h(4), 1],
    ]),
    dirty: new Set<number>(),
    sealedThrough: h(6),
  };

  it('is 0 before anything is published', () => {
    expect(computeBoundary({ ...base, published: new Map() })).toBe(0);
    expect(computeBoundary({ ...base, hours: [], published: new Map() })).toBe(0);
  });

  it('extends over empty sealed hours up to the first hour not done', () => {
    const published = new Map([
      [h(1), entry('a', 1)],
      [h(2), entry('b', 2)],
    ]);
    expect(computeBoundary({ ...base, published })).toBe(h(4));
    published.set(h(4), entry('c', 1));
    expect(computeBoundary({ ...base, published })).toBe(h(6));
  });

  it('stops at a dirty hour or one published from an older generation', () => {
    const published = new Map([
      [h(1), entry('a', 1)],
      [h(2), entry('b', 1)],
      [h(4), entry('c', 1)],
    ]);
    expect(computeBoundary({ ...base, published })).toBe(h(2));
    published.set(h(2), entry('b2', 2));
    expect(computeBoundary({ ...base, published, dirty: new Set([h(4)]) })).toBe(h(4));
  });

  it('never passes the sealed-through time, even over published hours', () => {
    const published = new Map([
      [h(1), entry('a', 1)],
      [h(2), entry('b', 2)],
      [h(4), entry('c', 1)],
    ]);
    expect(computeBoundary({ ...base, published, sealedThrough: h(3) })).toBe(h(3));
  });
});

describe('day rollups', () => {
  it('are current only while they were built from exactly the published hour versions', () => {
    const hours = new Map([
      [h(1), entry('a', 1)],
      [h(2), entry('b', 1)],
    ]);
    const day = { version: 'd', hours: dayInputs(D, hours), publishedAt: 0 };
    expect(isDayCurrent(day, D, hours)).toBe(true);
    expect(isDayCurrent(day, D, new Map([...hours, [h(3), entry('c', 1)]]))).toBe(false);
    expect(isDayCurrent(day, D, new Map([...hours, [h(2), entry('b2', 2)]]))).toBe(false);
    expect(isDayCurrent(undefined, D, hours)).toBe(false);
  });
});

describe('planSchedule', () => {
  it('recomputes sealed hours not current and dirty hours, and rolls up complete sealed days', () => {
    const plan = planSchedule({
      hours: [h(1), h(2), h(30)],
      generations: new Map([
        [h(1), 1],
        [h(2), 3],
        [h(30), 1],
      ]),
      dirty: new Set(),
      sealedThrough: h(31),
      published: new Map([
        [h(1), entry('a', 1)],
        [h(2), entry('b', 2)],
      ]),
      days: new Map(),
    });
    expect(plan.recompute).toEqual([h(2), h(30)]);
    expect(plan.rollup).toEqual([]);

    const done = planSchedule({
      hours: [h(1), h(2)],
      generations: new Map([
        [h(1), 1],
        [h(2), 1],
      ]),
      dirty: new Set(),
      sealedThrough: h(24),
      published: new Map([
        [h(1), entry('a', 1)],
        [h(2), entry('b', 1)],
      ]),
      days: new Map(),
    });
    expect(done).toEqual({ recompute: [], rollup: [D] });
  });

  it('leaves unsealed hours and days to the speed layer', () => {
    const plan = planSchedule({
      hours: [h(5)],
      generations: new Map([[h(5), 1]]),
      dirty: new Set(),
      sealedThrough: h(5),
      published: new Map(),
      days: new Map(),
    });
    expect(plan).toEqual({ recompute: [], rollup: [] });
  });
});

describe('job ids', () => {
  it('are deterministic, tagged for backfills, and free of the colon BullMQ refuses', () => {
    expect(recomputeJobId(h(1))).toBe(`recompute-hour-${h(1)}`);
    expect(recomputeJobId(h(1), 'cli-x')).toBe(`cli-x-recompute-hour-${h(1)}`);
    expect(rollupJobId('2026-01-01')).toBe('rollup-day-2026-01-01');
    expect(recomputeJobId(h(1), 'cli-x')).not.toContain(':');
  });
});
