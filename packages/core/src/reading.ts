// The reading schema from the architecture contract: one sensor value, its identity, and the id rules.

/** One sensor value at an event time. `seq` (per device) and `tags` are optional. */
export interface Reading {
  deviceId: string;
  metric: string;
  ts: number;
  value: number;
  seq?: number;
  tags?: Readonly<Record<string, string>>;
}

/** A reading inside an envelope: the deviceId is carried once, by the envelope. */
export type EnvelopeReading = Omit<Reading, 'deviceId'>;

/** A batch of readings from one device: the value of one message on the `readings` topic. */
export interface Envelope {
  deviceId: string;
  readings: EnvelopeReading[];
}

/** The id character set, for documentation and for code off the hot path; `isValidId` is the fast check. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
export const MAX_DEVICE_ID_LENGTH = 128;
export const MAX_METRIC_LENGTH = 64;
/** Readings older than this are certainly clock errors (devices booting at epoch 0), not late data. */
export const MIN_TS = Date.UTC(2000, 0, 1);
/** How far ahead of the receiver's clock a device clock may run before its readings are refused. */
export const MAX_FUTURE_MS = 86_400_000;

/**
 * The deduplication identity: readings with equal keys count once in both layers. `|` cannot occur in an
 * id, so the key is unambiguous; an absent seq is the empty string, distinct from every given seq.
 */
export function readingKey(r: {
  deviceId: string;
  metric: string;
  ts: number;
  seq?: number | undefined;
}): string {
  return `${r.deviceId}|${r.metric}|${r.ts}|${r.seq === undefined ? '' : r.seq}`;
}

/** True when `s` is a string of 1..maxLen characters from ID_PATTERN; a char-code loop, no regex. */
export function isValidId(s: unknown, maxLen: number): s is string {
  if (typeof s !== 'string') return false;
  const n = s.length;
  if (n === 0 || n > maxLen) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // Ordered by frequency in real ids: lower case, digits, upper case, then the punctuation.
    if (c >= 97 && c <= 122) continue; // a-z
    if (c >= 48 && c <= 58) continue; // 0-9 and ':'
    if (c >= 65 && c <= 90) continue; // A-Z
    if (c === 45 || c === 46 || c === 95) continue; // '-' '.' '_'
    return false;
  }
  return true;
}
