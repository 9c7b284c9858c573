// Compares a /v1/series answer from the real stores with the ground truth of the seeded readings.
import { aggregatesEqual, RESOLUTION_MS, type Aggregate, type Resolution } from '@lambda-iot/core';
import type { SeriesPoint } from '@lambda-iot/views';
import type { SeededStores } from './seeded-stores';
import { aggregatesOf } from './window-truth';

export interface SeriesBody {
  boundary: number;
  step: Resolution;
  points: SeriesPoint[];
}

/** The mismatches between an answer and the ground truth (empty when they agree), and where each point came from. */
export function disagreements(stores: SeededStores, deviceId: string, body: SeriesBody): string[] {
  const truth = aggregatesOf(stores.readings, deviceId, body.step);
  const problems: string[] = [];
  const seen = new Set<number>();
  for (const p of body.points) {
    if (seen.has(p.t)) problems.push(`window ${p.t} answered twice`);
    seen.add(p.t);
    const e = truth.get(p.t);
    const agg: Aggregate = {
      count: p.count,
      sum: p.sum,
      min: p.min,
      max: p.max,
      sumSq: e?.sumSq ?? 0,
      first: p.first,
      firstTs: e?.firstTs ?? 0,
      last: p.last,
      lastTs: e?.lastTs ?? 0,
    };
    if (e === undefined || !aggregatesEqual(agg, e))
      problems.push(`window ${p.t}: ${JSON.stringify(p)} vs ${JSON.stringify(e)}`);
    const wholeBelowB = p.t + RESOLUTION_MS[body.step] <= body.boundary;
    if ((p.source === 'batch') !== wholeBelowB || p.final !== wholeBelowB)
      problems.push(`window ${p.t} says ${p.source}/${p.final} at B ${body.boundary}`);
  }
  for (const t of truth.keys()) if (!seen.has(t)) problems.push(`window ${t} missing`);
  return problems;
}
