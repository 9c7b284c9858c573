// Splits a request body into envelope parts, keeping each part's original bytes for the dead-letter topic.
import { MAX_DEVICE_ID_LENGTH, isValidId } from '@lambda-iot/core';

/** One envelope's worth of input: the bytes as received and, when already parsed, the value. */
export interface EnvelopePart {
  original: Buffer;
  /** Present for elements of a JSON array (parsed with the array); absent means "decode `original`". */
  parsed?: unknown;
  /** Set when the array itself could not be parsed: the part is the whole body, refused as malformed. */
  unparseable?: string;
}

export const NDJSON_TYPE = 'application/x-ndjson';

/**
 * NDJSON (one envelope per line) when the content type says so; a JSON array of envelopes when the body
 * starts with `[`; otherwise one envelope. Array elements are re-serialised for the DLQ (JSON.parse keeps no
 * offsets); NDJSON lines and single envelopes keep their exact bytes.
 */
export function splitBody(body: Buffer, contentType: string | undefined): EnvelopePart[] {
  if (isNdjson(contentType)) return splitLines(body);
  const first = firstNonSpace(body);
  if (first !== 0x5b /* [ */) return [{ original: body }];
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return [{ original: body, unparseable: err instanceof Error ? err.message : String(err) }];
  }
  const list = parsed as unknown[];
  if (list.length === 0) return [{ original: body, parsed: list }];
  return list.map((element) => ({
    original: Buffer.from(JSON.stringify(element) ?? 'null', 'utf8'),
    parsed: element,
  }));
}

/** The deviceId a body claims first, to know whose token to check when no X-Device-Id header names it. */
export function claimedDeviceId(parts: readonly EnvelopePart[]): string | undefined {
  for (const part of parts) {
    let value = part.parsed;
    if (value === undefined && part.unparseable === undefined) {
      try {
        value = JSON.parse(part.original.toString('utf8'));
      } catch {
        continue;
      }
    }
    const id = (value as { deviceId?: unknown } | null)?.deviceId;
    if (isValidId(id, MAX_DEVICE_ID_LENGTH)) return id;
  }
  return undefined;
}

function isNdjson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return type === NDJSON_TYPE || type === 'application/jsonl' || type === 'application/x-jsonlines';
}

function splitLines(body: Buffer): EnvelopePart[] {
  const parts: EnvelopePart[] = [];
  let start = 0;
  for (let i = 0; i <= body.length; i++) {
    if (i === body.length || body[i] === 0x0a) {
      let end = i;
      if (end > start && body[end - 1] === 0x0d) end--;
      const line = body.subarray(start, end);
      if (firstNonSpace(line) !== -1) parts.push({ original: Buffer.from(line) });
      start = i + 1;
    }
  }
  return parts;
}

function firstNonSpace(buf: Buffer): number {
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i] as number;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c;
  }
  return -1;
}
