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
  return `${openJson(header, answer)}${points}]}`;
}

/** Everything before the first point: the same in the whole-text and the chunked writers. */
function openJson(header: SeriesHeader, answer: SeriesAnswer): string {
  return (
    `{"deviceId":${JSON.stringify(header.deviceId)},"metric":${JSON.stringify(header.metric)},` +
    `"step":${JSON.stringify(header.step)},"from":${num(answer.from)},"to":${num(answer.to)},` +
    `"boundary":${num(answer.boundary)},"points":[`
  );
}

/**
 * A response body as the chunks it is sent in: the big, long-lived parts (a day of batch points, the settled
 * speed minutes) are shared between bodies instead of copied into one buffer per change, which kept the old
 * generation busy with 230 KB buffers (one per series every few hundred ms) and made major GCs the latency tail.
 */
export interface SeriesBody {
  chunks: readonly Buffer[];
  length: number;
}

/** Whole bodies, by the identity of their fresh list (which changes most often), checked against the rest. */
const bodies = new WeakMap<
  readonly SeriesPoint[],
  { final: readonly SeriesPoint[]; head: string; body: SeriesBody }
>();

/** UTF-8 bytes of shared final lists' text: a day of batch points is encoded once, not once per fresh change. */
const listBytes = new WeakMap<readonly SeriesPoint[], Buffer>();

/** Text of single frozen points: the speed view's settled minutes come back as the same point objects. */
const pointText = new WeakMap<SeriesPoint, string>();

/**
 * `seriesJson` as UTF-8 bytes. While both point lists are the shared (frozen) ones of an earlier answer with
 * the same header, the earlier body is sent again: no serializing, no encoding, no length scan per request.
 * When only the fresh list changed, the final list's bytes and the fresh list's unchanged head are reused.
 */
export function seriesBody(header: SeriesHeader, answer: SeriesAnswer): SeriesBody {
  const head = `${header.deviceId}|${header.metric}|${header.step}|${answer.from}|${answer.to}|${answer.boundary}`;
  const shared = Object.isFrozen(answer.final) && Object.isFrozen(answer.fresh);
  const known = shared ? bodies.get(answer.fresh) : undefined;
  if (known !== undefined && known.final === answer.final && known.head === head) return known.body;
  const body = shared ? joinedBody(header, answer) : bodyOf([Buffer.from(seriesJson(header, answer))]);
  if (shared) bodies.set(answer.fresh, { final: answer.final, head, body });
  return body;
}

/** The same bytes as `seriesJson`, from shared parts. */
function joinedBody(header: SeriesHeader, answer: SeriesAnswer): SeriesBody {
  let finalBytes = listBytes.get(answer.final);
  if (finalBytes === undefined) {
    finalBytes = Buffer.from(sharedJson(answer.final));
    listBytes.set(answer.final, finalBytes);
  }
  const chunks: Buffer[] = [Buffer.from(openJson(header, answer))];
  if (answer.final.length > 0) chunks.push(finalBytes);
  if (answer.fresh.length > 0) {
    if (answer.final.length > 0) chunks.push(COMMA);
    chunks.push(...freshChunks(answer.fresh));
  }
  chunks.push(CLOSE);
  return bodyOf(chunks);
}

function bodyOf(chunks: Buffer[]): SeriesBody {
  let length = 0;
  for (const c of chunks) length += c.length;
  return { chunks, length };
}

const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

/** Chunks of a fresh list's text beyond which they are merged into one (bounds the chunks per body). */
const MAX_FRESH_CHUNKS = 16;

/** A fresh list's text as byte chunks, and the byte offset after each point's text. */
interface FreshText {
  points: readonly SeriesPoint[];
  chunks: Buffer[];
  ends: number[];
}

/** The last fresh text written, by the identity of its first point (stable while B does not move). */
const freshTexts = new WeakMap<SeriesPoint, FreshText>();

/**
 * The fresh list's text, reusing the bytes of the head it shares with the previous fresh list of the series:
 * a new speed answer usually repeats every settled minute and changes only the open ones at its end.
 * Point text is ASCII (numbers and fixed words), so a point's byte length is its string length.
 */
function freshChunks(points: readonly SeriesPoint[]): Buffer[] {
  const first = points[0] as SeriesPoint;
  const previous = freshTexts.get(first);
  let shared = 0;
  if (previous !== undefined) {
    const limit = Math.min(previous.points.length, points.length);
    // Only frozen points are known not to have changed since their text was written.
    while (shared < limit && previous.points[shared] === points[shared] && Object.isFrozen(points[shared]))
      shared++;
  }
  const ends = shared > 0 && previous !== undefined ? previous.ends.slice(0, shared) : [];
  let offset = ends.length > 0 ? (ends[ends.length - 1] as number) : 0;
  const chunks = shared > 0 && previous !== undefined ? prefixOf(previous.chunks, offset) : [];
  const rest: string[] = [];
  for (let i = shared; i < points.length; i++) {
    const text = (i > 0 ? ',' : '') + pointJson(points[i] as SeriesPoint);
    rest.push(text);
    offset += text.length;
    ends.push(offset);
  }
  if (rest.length > 0) chunks.push(Buffer.from(rest.join(''), 'latin1'));
  const kept = chunks.length > MAX_FRESH_CHUNKS ? [Buffer.concat(chunks)] : chunks;
  freshTexts.set(first, { points, chunks: kept, ends });
  return kept;
}

/** The chunks holding the first `bytes` bytes, sharing memory with the originals. */
function prefixOf(chunks: readonly Buffer[], bytes: number): Buffer[] {
  const out: Buffer[] = [];
  let left = bytes;
  for (const c of chunks) {
    if (left <= 0) break;
    out.push(c.length <= left ? c : c.subarray(0, left));
    left -= c.length;
  }
  return out;
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
    parts[i] = pointJson(points[i] as SeriesPoint);
  }
  return parts.join(',');
}

/** One point object's text, kept for frozen points. */
function pointJson(p: SeriesPoint): string {
  let text = pointText.get(p);
  if (text === undefined) {
    text =
      `{"t":${num(p.t)},"count":${num(p.count)},"sum":${num(p.sum)},"min":${num(p.min)},"max":${num(p.max)},` +
      `"mean":${num(p.mean)},"stddev":${num(p.stddev)},"first":${num(p.first)},"last":${num(p.last)},` +
      `"source":"${p.source === 'batch' ? 'batch' : 'speed'}","final":${p.final ? 'true' : 'false'}}`;
    if (Object.isFrozen(p)) pointText.set(p, text);
  }
  return text;
}

/** JSON.stringify's text for a number: non-finite numbers become null. */
function num(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}
