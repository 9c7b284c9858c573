// Time arguments on the command line: epoch milliseconds or ISO-8601.
import { UsageError } from './command';

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms from '1767225600000' or '2026-01-01T00:00Z' (a date or time without zone is taken as UTC). */
export function parseTimeArg(name: string, text: string | undefined): number {
  if (text === undefined || text === '') throw new UsageError(`--${name} is required`);
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
  } else if (ISO.test(text)) {
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/.test(text)
      ? text
      : `${text.length === 10 ? `${text}T00:00` : text}Z`;
    const ms = Date.parse(zoned.replace(' ', 'T'));
    if (Number.isFinite(ms)) return ms;
  }
  throw new UsageError(`--${name}: expected epoch milliseconds or ISO-8601, got ${JSON.stringify(text)}`);
}
