// Manifest entries: which batch-view version is published for each hour and day, and the rules read off them.
import { DAY_MS, HOUR_MS } from '@lambda-iot/core';

/** The published version of one hour (1m and 1h files), built from the archive at input generation `gen`. */
export interface HourEntry {
  version: string;
  /** The hour's archive generation the version was computed from (see HourLedger). */
  gen: number;
  rows: number;
  publishedAt: number;
}

/** The published 1d version of one day, with the hour versions it was rolled up from. */
export interface DayEntry {
  version: string;
  hours: Record<string, string>;
  publishedAt: number;
}

export function hourField(hourStart: number): string {
  return String(hourStart);
}

export function dayField(dayStart: number): string {
  return `d:${dayStart}`;
}

export function parseHourEntry(raw: string | null | undefined): HourEntry | undefined {
  if (raw === null || raw === undefined) return undefined;
  const e = JSON.parse(raw) as HourEntry;
  return typeof e.version === 'string' && typeof e.gen === 'number' ? e : undefined;
}

export function parseDayEntry(raw: string | null | undefined): DayEntry | undefined {
  if (raw === null || raw === undefined) return undefined;
  const e = JSON.parse(raw) as DayEntry;
  return typeof e.version === 'string' && typeof e.hours === 'object' && e.hours !== null ? e : undefined;
}

/** Hour starts of the UTC day starting at `dayStart`. */
export function hoursOfDay(dayStart: number): number[] {
  return Array.from({ length: 24 }, (_, i) => dayStart + i * HOUR_MS);
}

/** The hour versions a day rollup would be built from now: every published hour of the day. */
export function dayInputs(dayStart: number, hours: ReadonlyMap<number, HourEntry>): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const h of hoursOfDay(dayStart)) {
    const e = hours.get(h);
    if (e !== undefined) inputs[hourField(h)] = e.version;
  }
  return inputs;
}

/** True when the day's 1d file still reflects exactly the hour versions published now. */
export function isDayCurrent(
  day: DayEntry | undefined,
  dayStart: number,
  hours: ReadonlyMap<number, HourEntry>,
): boolean {
  if (day === undefined) return false;
  const now = dayInputs(dayStart, hours);
  const a = Object.keys(now);
  const b = Object.keys(day.hours);
  return a.length === b.length && a.every((k) => day.hours[k] === now[k]);
}

/** An hour whose published version covers every file written into it. */
export function isHourCurrent(entry: HourEntry | undefined, generation: number): boolean {
  return entry !== undefined && entry.gen >= generation;
}

export interface BoundaryInputs {
  /** Hour starts with data in the archive. */
  hours: readonly number[];
  /** Hour start → current archive generation. */
  generations: ReadonlyMap<number, number>;
  published: ReadonlyMap<number, HourEntry>;
  dirty: ReadonlySet<number>;
  /** Hours ending at or before this are sealed; -1 when nothing is. */
  sealedThrough: number;
}

/**
 * The batch boundary B: the end of the latest hour H such that every hour with data from the first one up to
 * H is published, current and not dirty, capped at the sealed-through time (an unsealed hour may still
 * receive readings, so the speed view answers it). Hours without data below the seal are complete and empty.
 * 0 when no hour qualifies.
 */
export function computeBoundary(inputs: BoundaryInputs): number {
  const sorted = [...inputs.hours].sort((a, b) => a - b);
  let boundary = 0;
  let stop: number | undefined;
  for (const h of sorted) {
    const entry = inputs.published.get(h);
    const good =
      h + HOUR_MS <= inputs.sealedThrough &&
      isHourCurrent(entry, inputs.generations.get(h) ?? 0) &&
      !inputs.dirty.has(h);
    if (!good) {
      stop = h;
      break;
    }
    boundary = h + HOUR_MS;
  }
  if (boundary === 0) return 0;
  // Sealed hours without data are complete and empty, so B extends over them up to the next hour not done.
  return stop === undefined ? Math.max(boundary, inputs.sealedThrough) : Math.min(stop, inputs.sealedThrough);
}

export function dayStartOf(ts: number): number {
  return Math.floor(ts / DAY_MS) * DAY_MS;
}
