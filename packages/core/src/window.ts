// Event-time tumbling windows aligned to the UTC epoch, and the UTC day/hour partitions derived from them.
import { ValidationError } from './errors';

export type Resolution = '1m' | '1h' | '1d';

/** Finest first, which is also the rollup order. */
export const RESOLUTIONS: readonly Resolution[] = Object.freeze(['1m', '1h', '1d'] as const);

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export const RESOLUTION_MS: Readonly<Record<Resolution, number>> = Object.freeze({
  '1m': MINUTE_MS,
  '1h': HOUR_MS,
  '1d': DAY_MS,
});

export function isResolution(s: unknown): s is Resolution {
  return s === '1m' || s === '1h' || s === '1d';
}

/** For request parameters and config: throws a ValidationError naming the allowed values. */
export function parseResolution(s: unknown): Resolution {
  if (isResolution(s)) return s;
  const shown = typeof s === 'string' ? JSON.stringify(s.slice(0, 40)) : String(s);
  throw new ValidationError(`resolution must be one of ${RESOLUTIONS.join(', ')}, got ${shown}`);
}

/**
 * Start of the window holding `ts`: floor to a multiple of the window size, so negative timestamps align
 * down too (`%` alone would round them towards zero). UTC has no leap seconds in epoch milliseconds, so a
 * day is always DAY_MS.
 */
export function windowStart(ts: number, res: Resolution): number {
  return floorTo(ts, RESOLUTION_MS[res]);
}

/** Exclusive end of the window holding `ts`. */
export function windowEnd(ts: number, res: Resolution): number {
  return floorTo(ts, RESOLUTION_MS[res]) + RESOLUTION_MS[res];
}

export function hourStart(ts: number): number {
  return floorTo(ts, HOUR_MS);
}

export function dayStart(ts: number): number {
  return floorTo(ts, DAY_MS);
}

/** Number of windows `windowStarts(from, to, res)` returns, so callers can bound a range before expanding it. */
export function countWindows(from: number, to: number, res: Resolution): number {
  requireFinite(from, to);
  if (to <= from) return 0;
  const size = RESOLUTION_MS[res];
  return Math.ceil((to - floorTo(from, size)) / size);
}

/** Starts of the windows covering [from, to): the first is `from` aligned down, the last starts before `to`. */
export function windowStarts(from: number, to: number, res: Resolution): number[] {
  const n = countWindows(from, to, res);
  const size = RESOLUTION_MS[res];
  const first = floorTo(from, size);
  const starts = new Array<number>(n);
  for (let i = 0; i < n; i++) starts[i] = first + i * size;
  return starts;
}

/** Hour of the UTC day, 0-23. */
export function utcHour(ts: number): number {
  return Math.floor((ts - floorTo(ts, DAY_MS)) / HOUR_MS);
}

// Consecutive readings nearly always fall on the same day, so the last answer is usually the next one.
let cachedDayStart = Number.NaN;
let cachedDay = '';

/** UTC calendar date 'YYYY-MM-DD', as in the archive's `date=` partitions; equals toISOString().slice(0, 10). */
export function utcDay(ts: number): string {
  const start = floorTo(ts, DAY_MS);
  if (start === cachedDayStart) return cachedDay;
  const day = formatDay(start / DAY_MS, ts);
  cachedDayStart = start;
  cachedDay = day;
  return day;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Start (epoch ms) of a UTC calendar date 'YYYY-MM-DD'; throws a ValidationError for anything else. */
export function parseUtcDay(day: string): number {
  const m = DAY_PATTERN.exec(day);
  if (m !== null) {
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    // Date.UTC rolls 2024-02-30 over into March; the round trip catches it.
    if (Number(m[1]) >= 100 && utcDay(ms) === day) return ms;
  }
  throw new ValidationError(
    `expected a UTC date YYYY-MM-DD, got ${JSON.stringify(String(day).slice(0, 40))}`,
  );
}

function floorTo(ts: number, size: number): number {
  const r = ts % size;
  // r + size rather than a second `%`: one division per call on the hot path.
  return r < 0 ? ts - r - size : ts - r;
}

function requireFinite(from: number, to: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new ValidationError(`window range must be finite, got [${from}, ${to})`);
  }
}

// Howard Hinnant's civil_from_days: proleptic Gregorian date of a day number, without allocating a Date.
function formatDay(days: number, ts: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  // Outside four-digit years, defer to Date's extended ISO format (and its RangeError for invalid times).
  if (y < 0 || y > 9999 || !Number.isFinite(ts)) return new Date(ts).toISOString().slice(0, -14);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}
