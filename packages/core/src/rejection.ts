// Why a reading or envelope was refused: the reason travels as the DLQ header and as a metrics label.

/** Every reason a reading or envelope can be refused; stable strings, used as DLQ headers and metric labels. */
export const REJECTION_REASONS = [
  'malformed_json',
  'not_an_object',
  'invalid_device_id',
  'invalid_metric',
  'invalid_ts',
  'ts_too_old',
  'ts_in_future',
  'invalid_value',
  'non_finite_value',
  'invalid_seq',
  'invalid_tags',
  'missing_readings',
  'too_many_readings',
  'device_mismatch',
  'oversized',
  'unknown_device',
  'unauthorized',
] as const;

export type RejectionReason = (typeof REJECTION_REASONS)[number];

export interface Rejection {
  /** Index of the reading in its envelope, or -1 when the whole envelope is refused. */
  index: number;
  reason: RejectionReason;
  /** Human readable, quoting the offending value (truncated, so a huge payload cannot bloat logs or headers). */
  message: string;
}

const REASON_SET: ReadonlySet<string> = new Set(REJECTION_REASONS);

export function isRejectionReason(s: unknown): s is RejectionReason {
  return typeof s === 'string' && REASON_SET.has(s);
}

/**
 * Renders an offending value for a rejection message: JSON-like, never throwing (cycles, bigint), and
 * truncated to `maxLength` characters. Only called on the rejection path, so its cost does not matter.
 */
export function describeValue(value: unknown, maxLength = 60): string {
  let text: string;
  switch (typeof value) {
    case 'undefined':
      text = 'nothing';
      break;
    case 'number':
    case 'boolean':
    case 'bigint':
      text = String(value);
      break;
    case 'string':
      // Cut before quoting: quoting a huge string first would copy all of it.
      text = JSON.stringify(value.length > maxLength ? value.slice(0, maxLength) : value);
      break;
    case 'symbol':
    case 'function':
      text = `a ${typeof value}`;
      break;
    default:
      text = describeObject(value);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

function describeObject(value: unknown): string {
  if (value === null) return 'null';
  // Stringifying a whole array (an envelope posted as a bare list) would be costly and say little.
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return 'an object';
  }
}
