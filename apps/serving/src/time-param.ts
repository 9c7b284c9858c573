// `from`/`to` request parameters: epoch milliseconds or ISO-8601 with a time zone, as epoch ms.
import { ValidationError } from '@lambda-iot/core';

const EPOCH_MS = /^-?\d{1,16}$/;
// A date, or a date-time with an explicit zone: a zoneless time would silently mean the server's zone.
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
const MAX_TS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function parseTimeParam(name: string, raw: string): number {
  let ms: number;
  if (EPOCH_MS.test(raw)) ms = Number(raw);
  else if (ISO.test(raw)) ms = Date.parse(raw);
  else {
    throw new ValidationError(
      `${name} must be epoch milliseconds or ISO-8601 with a zone (e.g. 2024-06-01T12:00:00Z), got ${JSON.stringify(raw.slice(0, 40))}`,
    );
  }
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TS) {
    throw new ValidationError(
      `${name} is not a valid time between 1970 and 9999: ${JSON.stringify(raw.slice(0, 40))}`,
    );
  }
  return ms;
}

export interface TimeRange {
  from: number;
  to: number;
}

/** Both bounds, `to` after `from`; when absent, `to` is now and `from` is `defaultSpanMs` before it. */
export function parseTimeRange(
  query: { from?: string | undefined; to?: string | undefined },
  now: number,
  defaultSpanMs: number,
): TimeRange {
  const to = query.to === undefined ? now : parseTimeParam('to', query.to);
  const from = query.from === undefined ? to - defaultSpanMs : parseTimeParam('from', query.from);
  if (to <= from) throw new ValidationError(`to (${to}) must be after from (${from})`);
  return { from, to };
}
