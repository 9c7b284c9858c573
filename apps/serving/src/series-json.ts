// The JSON of a /v1/series answer, written by hand: the final points' text is built once per cached batch answer.
import type { SeriesAnswer, SeriesPoint } from '@lambda-iot/views';

export interface SeriesHeader {
  deviceId: string;
  metric: string;
  step: string;
}

/** JSON text of point lists the query shares (frozen), by identity. */
const listJson = new WeakMap<readonly SeriesPoint[], string>();

/**
 * Same text as JSON.stringify of `{ deviceId, metric, step, from, to, boundary, points }`: a day of 1-minute
 * points is ~250 KB, and serializing it was the largest cost per request. The query hands out the same frozen
 * lists while the batch view's version (final points) and the kept speed answer (fresh points) are unchanged,
 * so their text is written once.
 */
export function seriesJson(header: SeriesHeader, answer: SeriesAnswer): string {
  const finalText = sharedJson(answer.final);
  const freshText = sharedJson(answer.fresh);
  const points = finalText === '' ? freshText : freshText === '' ? finalText : `${finalText},${freshText}`;
  return (
    `{"deviceId":${JSON.stringify(header.deviceId)},"metric":${JSON.stringify(header.metric)},` +
    `"step":${JSON.stringify(header.step)},"from":${num(answer.from)},"to":${num(answer.to)},` +
    `"boundary":${num(answer.boundary)},"points":[${points}]}`
  );
}

/** Whole bodies, by the identity of their fresh list (which changes most often), checked against the rest. */
const bodies = new WeakMap<
  readonly SeriesPoint[],
  { final: readonly SeriesPoint[]; head: string; body: Buffer }
>();

/**
 * `seriesJson` as UTF-8 bytes. While both point lists are the shared (frozen) ones of an earlier answer with
 * the same header, the earlier bytes are sent again: no serializing, no encoding, no length scan per request.
 */
export function seriesBody(header: SeriesHeader, answer: SeriesAnswer): Buffer {
  const head = `${header.deviceId}|${header.metric}|${header.step}|${answer.from}|${answer.to}|${answer.boundary}`;
  const shared = Object.isFrozen(answer.final) && Object.isFrozen(answer.fresh);
  const known = shared ? bodies.get(answer.fresh) : undefined;
  if (known !== undefined && known.final === answer.final && known.head === head) return known.body;
  const body = Buffer.from(seriesJson(header, answer));
  if (shared) bodies.set(answer.fresh, { final: answer.final, head, body });
  return body;
}

function sharedJson(points: readonly SeriesPoint[]): string {
  let text = listJson.get(points);
  if (text === undefined) {
    text = pointsJson(points);
    if (Object.isFrozen(points)) listJson.set(points, text);
  }
  return text;
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
