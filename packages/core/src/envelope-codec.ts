// The envelope's wire format on the `readings` topic: compact JSON, named by the `content-type` header.
import { isUtf8 } from 'node:buffer';
import type { Envelope, EnvelopeReading } from './reading';
import { validateEnvelope, type EnvelopeValidation, type ValidationLimits } from './validate-envelope';

export const CONTENT_TYPE_HEADER = 'content-type';
export const JSON_CONTENT_TYPE = 'application/vnd.lambda-iot.envelope+json';
/** Content types `decodeEnvelope` understands; plain JSON is accepted for curl and generic producers. */
export const ACCEPTED_CONTENT_TYPES: readonly string[] = Object.freeze([
  JSON_CONTENT_TYPE,
  'application/json',
]);

/**
 * True when a `content-type` header value names an encoding `decodeEnvelope` reads. An absent header means
 * the JSON envelope (producers before the header existed); parameters such as `; charset=utf-8` are ignored.
 */
export function isEnvelopeContentType(header: string | Buffer | undefined): boolean {
  if (header === undefined) return true;
  const text = typeof header === 'string' ? header : header.toString('latin1');
  const semicolon = text.indexOf(';');
  const mediaType = (semicolon === -1 ? text : text.slice(0, semicolon)).trim().toLowerCase();
  return ACCEPTED_CONTENT_TYPES.includes(mediaType);
}

/** Compact JSON carrying only the contract's fields, so stray properties on the objects never leak onto the wire. */
export function encodeEnvelope(env: Envelope): Buffer {
  const readings = new Array<EnvelopeReading>(env.readings.length);
  for (let i = 0; i < env.readings.length; i++) {
    const r = env.readings[i] as EnvelopeReading;
    const out: EnvelopeReading = { metric: r.metric, ts: r.ts, value: r.value };
    if (r.seq !== undefined) out.seq = r.seq;
    if (r.tags !== undefined) out.tags = r.tags;
    readings[i] = out;
  }
  return Buffer.from(JSON.stringify({ deviceId: env.deviceId, readings }), 'utf8');
}

/**
 * Decodes and validates one message value. Never throws: bytes that are not UTF-8 JSON give a single
 * 'malformed_json' rejection (index -1), over-large input gives 'oversized', everything else is judged by
 * `validateEnvelope`.
 */
export function decodeEnvelope(
  bytes: Uint8Array | string,
  limits: ValidationLimits,
  expectedDeviceId?: string,
): EnvelopeValidation {
  const size = typeof bytes === 'string' ? Buffer.byteLength(bytes, 'utf8') : bytes.byteLength;
  if (limits.maxEnvelopeBytes !== undefined && size > limits.maxEnvelopeBytes) {
    return refuse('oversized', `envelope is ${size} bytes, at most ${limits.maxEnvelopeBytes} are allowed`);
  }
  let text: string;
  if (typeof bytes === 'string') {
    text = bytes;
  } else {
    // Decoding invalid UTF-8 would silently substitute U+FFFD into ids and tags; refuse it instead.
    if (!isUtf8(bytes)) return refuse('malformed_json', 'envelope is not valid UTF-8');
    text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const short = why.length > 120 ? `${why.slice(0, 119)}…` : why;
    return refuse('malformed_json', `envelope is not valid JSON: ${short}`);
  }
  return validateEnvelope(parsed, limits, expectedDeviceId);
}

function refuse(reason: 'malformed_json' | 'oversized', message: string): EnvelopeValidation {
  return { deviceId: undefined, readings: [], rejections: [{ index: -1, reason, message }] };
}
