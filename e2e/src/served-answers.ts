// Reads the serving API the way an analyst would and compares every window with the oracle's.
import { aggregatesEqual, emptyAggregate, type Resolution } from '@lambda-iot/core';
import type { ExpectedWindow } from './ground-truth-oracle';

export interface ServedPoint {
  t: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  first: number;
  last: number;
  source: 'batch' | 'speed';
  final: boolean;
}

export interface SeriesAnswer {
  boundary: number;
  points: ServedPoint[];
}

export async function fetchSeries(
  baseUrl: string,
  token: string,
  q: { deviceId: string; metric: string; step: Resolution; from: number; to: number },
): Promise<SeriesAnswer> {
  const url = new URL('/v1/series', baseUrl);
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, String(v));
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as SeriesAnswer;
}

export interface Mismatch {
  key: string;
  expected: ExpectedWindow | undefined;
  served: ServedPoint | undefined;
}

/** Every window must be there exactly once with the oracle's aggregate; extra or missing windows are mismatches. */
export function compareWindows(
  deviceId: string,
  metric: string,
  served: readonly ServedPoint[],
  expected: ReadonlyMap<string, ExpectedWindow>,
  range: { from: number; to: number },
): Mismatch[] {
  const mismatches: Mismatch[] = [];
  const seen = new Set<number>();
  for (const p of served) {
    const key = `${deviceId}|${metric}|${p.t}`;
    const e = expected.get(key);
    if (seen.has(p.t) || !e || !sameAggregate(p, e)) mismatches.push({ key, expected: e, served: p });
    seen.add(p.t);
  }
  for (const [key, e] of expected) {
    if (e.deviceId !== deviceId || e.metric !== metric || e.t < range.from || e.t >= range.to) continue;
    if (!seen.has(e.t)) mismatches.push({ key, expected: e, served: undefined });
  }
  return mismatches;
}

function sameAggregate(p: ServedPoint, e: ExpectedWindow): boolean {
  // first/last timestamps are not served, so compare through aggregatesEqual with them held equal.
  const a = {
    ...emptyAggregate(),
    count: p.count,
    sum: p.sum,
    min: p.min,
    max: p.max,
    sumSq: 0,
    first: p.first,
    last: p.last,
    firstTs: 0,
    lastTs: 0,
  };
  const b = { ...a, count: e.count, sum: e.sum, min: e.min, max: e.max, first: e.first, last: e.last };
  return aggregatesEqual(a, b);
}
