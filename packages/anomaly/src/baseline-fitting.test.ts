import { DAY_MS, HOUR_MS, MINUTE_MS } from '@lambda-iot/core';
import { fitBaselineModel, type MinuteMean } from './baseline-fitting';
import { hourOfDay, hoursIntoDay, resolveBaseline, parseBaselineModel } from './baseline-model';

const DAY0 = Date.UTC(2026, 0, 1);

function request(overrides: Partial<Parameters<typeof fitBaselineModel>[1]> = {}) {
  return {
    version: 'v1',
    fittedAt: DAY0 + 7 * DAY_MS,
    from: DAY0,
    to: DAY0 + 7 * DAY_MS,
    days: 7,
    minSamples: 30,
    deviceTypes: new Map([
      ['a', 'pump'],
      ['b', 'pump'],
      ['new', 'pump'],
    ]),
    ...overrides,
  };
}

/** Every minute of `hours` (hour-of-day list) on each of `days` days, value = f(hour, i). */
function minutes(deviceId: string, days: number, hours: number[], f: (hour: number, i: number) => number) {
  const out: MinuteMean[] = [];
  for (let d = 0; d < days; d++)
    for (const h of hours)
      for (let m = 0; m < 60; m++) {
        const windowStart = DAY0 + d * DAY_MS + h * HOUR_MS + m * MINUTE_MS;
        out.push({ deviceId, metric: 'temperature', windowStart, mean: f(h, d * 60 + m) });
      }
  return out;
}

describe('seasonal baseline fit', () => {
  it('keeps one median/MAD per UTC hour of day, so a daily cycle is normal at its own hour', () => {
    const all = Array.from({ length: 24 }, (_, h) => h);
    const model = fitBaselineModel(
      minutes('a', 7, all, (h, i) => 10 * h + (i % 3)), // per hour: values 10h, 10h+1, 10h+2
      request(),
    );
    const a = model.series['a|temperature']!;
    expect(a.hours).toHaveLength(24);
    expect(a.hours[3]).toEqual({ median: 31, mad: 1, n: 420 });
    expect(a.hours[20]!.median).toBe(201);
    expect(a.overall.n).toBe(24 * 420);
    expect(
      resolveBaseline(model, 'a', 'temperature', DAY0 + 8 * DAY_MS + 3 * HOUR_MS + 5 * MINUTE_MS),
    ).toEqual({
      stats: { median: 31, mad: 1, n: 420 },
      source: 'series-hour',
    });
  });

  it('keeps the flat hour where the level steps on the hour: a line between hour centres would smear the step', () => {
    const all = Array.from({ length: 24 }, (_, h) => h);
    const model = fitBaselineModel(
      minutes('a', 7, all, (h, i) => 10 * h + (i % 3)),
      request(),
    );
    const a = model.series['a|temperature']!;
    // around the curve the hour's means spread wider than around its own median
    expect(a.residuals![3]!.mad).toBeGreaterThan(a.hours[3]!.mad);
  });

  it('scores a smooth daily cycle around its seasonal curve, so the spread is the noise, not the hour’s slope', () => {
    // A cycle of ±4 over the day plus noise of ±0.1: within an hour the level moves by up to ~1, ten times the noise.
    const all = Array.from({ length: 24 }, (_, h) => h);
    const noise = [0.1, -0.1, 0, 0.05, -0.05];
    const cycle = (ts: number) => 20 + 4 * Math.sin((2 * Math.PI * hoursIntoDay(ts)) / 24);
    const model = fitBaselineModel(
      minutes('a', 7, all, () => 0).map((m, i) => ({
        ...m,
        mean: cycle(m.windowStart + MINUTE_MS / 2) + noise[i % noise.length]!,
      })),
      request(),
    );
    const a = model.series['a|temperature']!;
    // hour 0, where the cycle is steepest (and the curve wraps round from hour 23)
    expect(a.hours[0]!.mad).toBeGreaterThan(0.2);
    expect(a.residuals![0]!.mad).toBeLessThan(0.11);
    // at 00:05 the curve is near the cycle's true value, not at the hour's median (its value at 00:30)
    const at = DAY0 + 9 * DAY_MS + 5 * MINUTE_MS;
    const resolved = resolveBaseline(model, 'a', 'temperature', at)!;
    expect(resolved.source).toBe('series-hour');
    expect(resolved.stats.median).toBeCloseTo(cycle(at + MINUTE_MS / 2), 1);
    expect(Math.abs(a.hours[0]!.median - cycle(at + MINUTE_MS / 2))).toBeGreaterThan(0.35);
    expect(resolved.stats.mad).toBe(a.residuals![0]!.mad);
  });

  it('ignores means outside [from, to) and non-finite means', () => {
    const model = fitBaselineModel(
      [
        { deviceId: 'a', metric: 'm', windowStart: DAY0 - MINUTE_MS, mean: 1 },
        { deviceId: 'a', metric: 'm', windowStart: DAY0, mean: 2 },
        { deviceId: 'a', metric: 'm', windowStart: DAY0 + MINUTE_MS, mean: Number.NaN },
        { deviceId: 'a', metric: 'm', windowStart: DAY0 + 7 * DAY_MS, mean: 3 },
      ],
      request({ minSamples: 1 }),
    );
    expect(model.series['a|m']!.overall).toEqual({ median: 2, mad: 0, n: 1 });
  });

  it('falls back to the device type at an hour with too few samples, then to the series overall, then the type overall', () => {
    // a: plenty of history at hours 0-11 only; b (same type): all 24 hours; new: registered, no history.
    const model = fitBaselineModel(
      [
        ...minutes('a', 7, [...Array(12).keys()], () => 5),
        ...minutes('b', 7, [...Array(24).keys()], (h) => 100 + h),
      ],
      request(),
    );
    const at = (h: number) => DAY0 + 9 * DAY_MS + h * HOUR_MS;
    expect(resolveBaseline(model, 'a', 'temperature', at(4))?.source).toBe('series-hour');
    // hour 15: a has nothing, the pump pool has b's hour 15 only
    expect(resolveBaseline(model, 'a', 'temperature', at(15))).toEqual({
      stats: { median: 115, mad: 0, n: 420 },
      source: 'type-hour',
    });
    expect(resolveBaseline(model, 'new', 'temperature', at(2))?.source).toBe('type-hour');
    // a device with no type and an empty hour: its own overall stats
    const untyped = fitBaselineModel(
      minutes('a', 7, [0, 1], () => 7),
      request({ deviceTypes: new Map() }),
    );
    expect(resolveBaseline(untyped, 'a', 'temperature', at(9))).toEqual({
      stats: { median: 7, mad: 0, n: 840 },
      source: 'series-overall',
    });
    // too little of everything: the type's overall pool
    const sparse = fitBaselineModel(
      [...minutes('a', 1, [1], () => 1).slice(0, 20), ...minutes('b', 1, [2], () => 3).slice(0, 20)],
      request(),
    );
    expect(resolveBaseline(sparse, 'a', 'temperature', at(1))).toEqual({
      stats: { median: 2, mad: 1, n: 40 },
      source: 'type-overall',
    });
    expect(resolveBaseline(sparse, 'unknown', 'temperature', at(1))).toBeUndefined();
  });

  it('hour of day is the UTC hour, also for times before the epoch', () => {
    expect(hourOfDay(DAY0 + 23 * HOUR_MS + 59 * MINUTE_MS)).toBe(23);
    expect(hourOfDay(-HOUR_MS)).toBe(23);
  });

  it('round-trips through JSON and refuses foreign documents', () => {
    const model = fitBaselineModel(
      minutes('a', 1, [0], () => 1),
      request({ minSamples: 1 }),
    );
    expect(parseBaselineModel(JSON.stringify(model))).toEqual(JSON.parse(JSON.stringify(model)));
    expect(() => parseBaselineModel('{"format":"other"}')).toThrow(/not a lambda-iot.anomaly-baseline/);
    expect(() => parseBaselineModel('{')).toThrow(/not JSON/);
  });
});
