// The JSON of a /v1/series answer, written by hand: the final points' text is built once per cached batch answer.
import type { SeriesAnswer, SeriesPoint } from '@lambda-iot/views';

export interface SeriesHeader {
  deviceId: string;
  metric: string;
  step: string;
}

/** JSON text of final point lists, by the identity of the (frozen, shared) list the query handed out. */
const finalJson = new WeakMap<readonly SeriesPoint[], string>();

/**
 * Same text as JSON.stringify of `{ deviceId, metric, step, from, to, boundary, points }`: a day of 1-minute
 * points is ~300 KB, and serializing it was the largest cost per request. The part below the boundary comes
 * from the batch view's cache and does not change while its version does not, so its text is reused.
 */
export function seriesJson(header: SeriesHeader, answer: SeriesAnswer): string {
  let finalText = finalJson.get(answer.final);
  if (finalText === undefined) {
    finalText = pointsJson(answer.final);
    if (Object.isFrozen(answer.final)) finalJson.set(answer.final, finalText);
  }
  const freshText = pointsJson(answer.fresh);
  const points =
    finalText === '' ? freshText : freshText === '' ? finalText : `${finalText},${freshText}`;
  return (
    `{"deviceId":${JSON.stringify(header.deviceId)},"metric":${JSON.stringify(header.metric)},` +
    `"step":${JSON.stringify(header.step)},"from":${num(answer.from)},"to":${num(answer.to)},` +
    `"boundary":${num(answer.boundary)},"points":[${points}]}`
  );
}

/** Comma-separated point objects, without brackets. */
export function pointsJson(points: readonly SeriesPoint[]): string {
  const parts = new Array<string>(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as SeriesPoint;
    parts[i] =
      `{"t":${num(p.t)},"count":${num(p.count)},"sum":${num(p.sum)},"min":${num(p.min)},"max":${num(p.max)},` +
      `"mean":${num(p.mean)},"stddev":${num(p.stddev)},"first":${num(p.first)},"last":${num(p.last)},` +
      `"source":"${p.source === 'batch' ? 'batch' : 'speed'}","final":${p.final ? 'true' : 'false'}}`;
  }
  return parts.join(',');
}

/** JSON.stringify's text for a number: non-finite numbers become null. */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}
