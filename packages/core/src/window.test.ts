import fc from 'fast-check';
import { ValidationError } from './errors';
import {
  countWindows,
  DAY_MS,
  dayStart,
  HOUR_MS,
  hourStart,
  isResolution,
  MINUTE_MS,
  parseResolution,
  parseUtcDay,
  RESOLUTION_MS,
  RESOLUTIONS,
  utcDay,
  utcHour,
  windowEnd,
  windowStart,
  windowStarts,
  type Resolution,
} from './window';

const T = Date.UTC(2024, 5, 1, 13, 37, 42, 123);
const resolutionArb = fc.constantFrom<Resolution>(...RESOLUTIONS);
// Every instant with a four-digit year, on both sides of the epoch. Date.UTC maps year 0 to 1900, hence -62167219200000.
const tsArb = fc.integer({ min: -62_167_219_200_000, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) });

describe('resolutions', () => {
  it('are 1m, 1h and 1d, finest first, with their sizes in ms', () => {
    expect(RESOLUTIONS).toEqual(['1m', '1h', '1d']);
    expect(RESOLUTION_MS).toEqual({ '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 });
  });

  it('isResolution accepts exactly the three names', () => {
    expect(RESOLUTIONS.every(isResolution)).toBe(true);
    expect([undefined, '', '1s', '1M', '60m', 1].some(isResolution)).toBe(false);
  });

  it('parseResolution returns a valid name and throws a ValidationError naming the choices otherwise', () => {
    expect(parseResolution('1h')).toBe('1h');
    expect(() => parseResolution('5m')).toThrow(ValidationError);
    expect(() => parseResolution(undefined)).toThrow('resolution must be one of 1m, 1h, 1d, got undefined');
  });
});

describe('windowStart', () => {
  it('aligns to UTC minute, hour and day boundaries', () => {
    expect(windowStart(T, '1m')).toBe(Date.UTC(2024, 5, 1, 13, 37));
    expect(windowStart(T, '1h')).toBe(Date.UTC(2024, 5, 1, 13));
    expect(windowStart(T, '1d')).toBe(Date.UTC(2024, 5, 1));
  });

  it('keeps a timestamp on a boundary in the window starting there', () => {
    const boundary = Date.UTC(2024, 5, 1, 13, 37);
    expect(windowStart(boundary, '1m')).toBe(boundary);
    expect(windowStart(boundary - 1, '1m')).toBe(boundary - MINUTE_MS);
    expect(windowStart(boundary + MINUTE_MS - 1, '1m')).toBe(boundary);
  });

  it('floors negative timestamps down, not towards zero', () => {
    expect(windowStart(-1, '1m')).toBe(-60_000);
    expect(windowStart(-60_000, '1m')).toBe(-60_000);
    expect(windowStart(-60_001, '1m')).toBe(-120_000);
    expect(windowStart(-1, '1d')).toBe(-DAY_MS);
    expect(windowStart(0, '1h')).toBe(0);
  });

  it('holds ts in [start, start + size) and is a multiple of the size, for any ts', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), resolutionArb, (ts, res) => {
        const start = windowStart(ts, res);
        expect(start).toBeLessThanOrEqual(ts);
        expect(ts).toBeLessThan(start + RESOLUTION_MS[res]);
        expect(start % RESOLUTION_MS[res] === 0).toBe(true);
      }),
    );
  });

  it('nests: the hour of a minute window is the hour of the timestamp', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), (ts) => {
        expect(hourStart(windowStart(ts, '1m'))).toBe(hourStart(ts));
        expect(dayStart(hourStart(ts))).toBe(dayStart(ts));
      }),
    );
  });
});

describe('windowEnd', () => {
  it('is the exclusive end, one window after the start', () => {
    expect(windowEnd(T, '1m')).toBe(Date.UTC(2024, 5, 1, 13, 38));
    expect(windowEnd(T, '1d')).toBe(Date.UTC(2024, 5, 2));
    expect(windowEnd(Date.UTC(2024, 5, 1, 14), '1h')).toBe(Date.UTC(2024, 5, 1, 15));
    expect(windowEnd(-1, '1m')).toBe(0);
  });
});

describe('hourStart and dayStart', () => {
  it('are the 1h and 1d window starts', () => {
    expect(hourStart(T)).toBe(windowStart(T, '1h'));
    expect(dayStart(T)).toBe(windowStart(T, '1d'));
  });
});

describe('windowStarts', () => {
  const h = Date.UTC(2024, 5, 1, 13);

  it('lists the windows covering [from, to), with from aligned down', () => {
    expect(windowStarts(h + 30_000, h + 3 * MINUTE_MS, '1m')).toEqual([h, h + MINUTE_MS, h + 2 * MINUTE_MS]);
  });

  it('excludes a window starting exactly at to, and includes one that to cuts into', () => {
    expect(windowStarts(h, h + 2 * HOUR_MS, '1h')).toEqual([h, h + HOUR_MS]);
    expect(windowStarts(h, h + 2 * HOUR_MS + 1, '1h')).toEqual([h, h + HOUR_MS, h + 2 * HOUR_MS]);
  });

  it('is empty when to is not after from', () => {
    expect(windowStarts(h, h, '1m')).toEqual([]);
    expect(windowStarts(h + 1, h, '1m')).toEqual([]);
  });

  it('gives one window for a range inside a single window', () => {
    expect(windowStarts(h + 1, h + 2, '1d')).toEqual([Date.UTC(2024, 5, 1)]);
  });

  it('works across the epoch', () => {
    expect(windowStarts(-90_000, 60_000, '1m')).toEqual([-120_000, -60_000, 0]);
  });

  it('refuses an unbounded range instead of looping forever', () => {
    expect(() => windowStarts(0, Number.POSITIVE_INFINITY, '1m')).toThrow(ValidationError);
    expect(() => countWindows(Number.NaN, 0, '1m')).toThrow(ValidationError);
  });

  it('covers exactly [from, to) with consecutive windows, and countWindows says how many', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        resolutionArb.chain((res) =>
          fc.tuple(fc.constant(res), fc.integer({ min: 0, max: 40 * RESOLUTION_MS[res] })),
        ),
        (from, [res, span]) => {
          const to = from + span;
          const starts = windowStarts(from, to, res);
          expect(starts).toHaveLength(countWindows(from, to, res));
          if (span === 0) {
            expect(starts).toEqual([]);
            return;
          }
          const size = RESOLUTION_MS[res];
          expect(starts[0]).toBe(windowStart(from, res));
          const last = starts[starts.length - 1] as number;
          expect(last).toBeLessThan(to);
          expect(last + size).toBeGreaterThanOrEqual(to);
          expect(starts).toEqual(starts.map((_, i) => (starts[0] as number) + i * size));
        },
      ),
    );
  });
});

describe('utcDay', () => {
  it('formats the UTC calendar date as YYYY-MM-DD', () => {
    expect(utcDay(T)).toBe('2024-06-01');
    expect(utcDay(Date.UTC(2024, 1, 29, 23, 59, 59, 999))).toBe('2024-02-29');
    expect(utcDay(Date.UTC(2024, 2, 1))).toBe('2024-03-01');
    expect(utcDay(Date.UTC(1999, 11, 31, 23, 59, 59, 999))).toBe('1999-12-31');
    expect(utcDay(0)).toBe('1970-01-01');
    expect(utcDay(-1)).toBe('1969-12-31');
  });

  it('agrees with Date.toISOString for every four-digit year', () => {
    fc.assert(
      fc.property(tsArb, (ts) => {
        expect(utcDay(ts)).toBe(new Date(ts).toISOString().slice(0, 10));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the right day when calls alternate between days', () => {
    const a = Date.UTC(2024, 0, 1, 5);
    const b = Date.UTC(2024, 0, 2, 5);
    expect([utcDay(a), utcDay(a + 1), utcDay(b), utcDay(a), utcDay(b - DAY_MS)]).toEqual([
      '2024-01-01',
      '2024-01-01',
      '2024-01-02',
      '2024-01-01',
      '2024-01-01',
    ]);
  });

  it('uses the extended ISO form beyond year 9999', () => {
    expect(utcDay(Date.UTC(10000, 0, 1))).toBe('+010000-01-01');
  });
});

describe('utcHour', () => {
  it('is the hour of the UTC day, 0-23', () => {
    expect(utcHour(T)).toBe(13);
    expect(utcHour(Date.UTC(2024, 5, 1))).toBe(0);
    expect(utcHour(Date.UTC(2024, 5, 1, 23, 59, 59, 999))).toBe(23);
    expect(utcHour(-1)).toBe(23);
  });

  it('agrees with Date.getUTCHours', () => {
    fc.assert(
      fc.property(tsArb, (ts) => {
        expect(utcHour(ts)).toBe(new Date(ts).getUTCHours());
      }),
    );
  });
});

describe('parseUtcDay', () => {
  it('is the start of the day utcDay names', () => {
    expect(parseUtcDay('2024-06-01')).toBe(Date.UTC(2024, 5, 1));
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) }), (ts) => {
        expect(parseUtcDay(utcDay(ts))).toBe(dayStart(ts));
      }),
    );
  });

  it.each(['2024-02-30', '2023-02-29', '2024-13-01', '2024-6-1', '2024-06-01T00:00:00Z', '', 'today'])(
    'throws a ValidationError for %p',
    (text) => {
      expect(() => parseUtcDay(text)).toThrow(ValidationError);
    },
  );
});
