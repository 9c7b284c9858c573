// Checks an envelope from outside (JSON already parsed) against the reading contract, reading by reading.
import { describeValue, type Rejection, type RejectionReason } from './rejection';
import {
  isValidId,
  MAX_DEVICE_ID_LENGTH,
  MAX_FUTURE_MS,
  MAX_METRIC_LENGTH,
  MIN_TS,
  type Reading,
} from './reading';

export interface ValidationLimits {
  /** The receiver's clock, passed in so validation is deterministic and testable. */
  now: number;
  maxReadingsPerEnvelope: number;
  maxFutureMs: number;
  minTs: number;
  maxTags: number;
  /** Longest tag key and longest tag value. */
  maxTagLength: number;
  /** Largest encoded envelope `decodeEnvelope` accepts; no limit when absent (transports usually cap first). */
  maxEnvelopeBytes?: number;
}

export const DEFAULT_VALIDATION_LIMITS: Readonly<Omit<ValidationLimits, 'now'>> = Object.freeze({
  maxReadingsPerEnvelope: 10_000,
  maxFutureMs: MAX_FUTURE_MS,
  minTs: MIN_TS,
  maxTags: 16,
  maxTagLength: 64,
});

/** The default limits at a given clock reading, with optional overrides. */
export function validationLimitsAt(
  now: number,
  overrides: Partial<Omit<ValidationLimits, 'now'>> = {},
): ValidationLimits {
  return { ...DEFAULT_VALIDATION_LIMITS, ...overrides, now };
}

export interface EnvelopeValidation {
  /** The envelope's deviceId once it is known valid, even if the envelope is refused for another reason. */
  deviceId: string | undefined;
  readings: Reading[];
  rejections: Rejection[];
}

/**
 * Validates a parsed envelope. Envelope-level problems (not an object, bad deviceId, deviceId other than
 * `expectedDeviceId`, readings missing, empty or too many) refuse everything with index -1. Otherwise each
 * reading is kept or refused on its own, with the first rule it breaks; unknown fields are ignored and the
 * kept readings carry only contract fields. Never throws on any input.
 */
export function validateEnvelope(
  input: unknown,
  limits: ValidationLimits,
  expectedDeviceId?: string,
): EnvelopeValidation {
  if (!isRecord(input)) {
    return refuseEnvelope(
      undefined,
      'not_an_object',
      `envelope must be an object, got ${describeValue(input)}`,
    );
  }
  const deviceId = input['deviceId'];
  if (!isValidId(deviceId, MAX_DEVICE_ID_LENGTH)) {
    return refuseEnvelope(
      undefined,
      'invalid_device_id',
      `deviceId must be 1-${MAX_DEVICE_ID_LENGTH} characters of [A-Za-z0-9._:-], got ${describeValue(deviceId)}`,
    );
  }
  if (expectedDeviceId !== undefined && deviceId !== expectedDeviceId) {
    return refuseEnvelope(
      deviceId,
      'device_mismatch',
      `deviceId ${describeValue(deviceId)} does not match the sender ${describeValue(expectedDeviceId)}`,
    );
  }
  const raw = input['readings'];
  // An empty batch is refused too: the wire contract's smallest batch is one reading.
  if (!Array.isArray(raw) || raw.length === 0) {
    return refuseEnvelope(
      deviceId,
      'missing_readings',
      `readings must be a non-empty array, got ${describeValue(raw)}`,
    );
  }
  if (raw.length > limits.maxReadingsPerEnvelope) {
    return refuseEnvelope(
      deviceId,
      'too_many_readings',
      `envelope carries ${raw.length} readings, at most ${limits.maxReadingsPerEnvelope} are allowed`,
    );
  }

  const result: EnvelopeValidation = { deviceId, readings: [], rejections: [] };
  const maxTs = limits.now + limits.maxFutureMs;
  for (let i = 0; i < raw.length; i++) {
    checkReading(raw[i] as unknown, i, deviceId, limits, maxTs, result);
  }
  return result;
}

// Pushes straight into the result so the per-reading path allocates only the kept reading (or the rejection).
function checkReading(
  r: unknown,
  index: number,
  deviceId: string,
  limits: ValidationLimits,
  maxTs: number,
  out: EnvelopeValidation,
): void {
  if (!isRecord(r)) {
    reject(out, index, 'not_an_object', `readings[${index}] must be an object, got ${describeValue(r)}`);
    return;
  }
  const ownDevice = r['deviceId'];
  if (ownDevice !== undefined && ownDevice !== deviceId) {
    reject(
      out,
      index,
      'device_mismatch',
      `readings[${index}].deviceId ${describeValue(ownDevice)} differs from the envelope's ${describeValue(deviceId)}`,
    );
    return;
  }
  const metric = r['metric'];
  if (!isValidId(metric, MAX_METRIC_LENGTH)) {
    reject(
      out,
      index,
      'invalid_metric',
      `readings[${index}].metric must be 1-${MAX_METRIC_LENGTH} characters of [A-Za-z0-9._:-], got ${describeValue(metric)}`,
    );
    return;
  }
  const ts = r['ts'];
  if (typeof ts !== 'number' || !Number.isInteger(ts)) {
    reject(
      out,
      index,
      'invalid_ts',
      `readings[${index}].ts must be integer epoch milliseconds, got ${describeValue(ts)}`,
    );
    return;
  }
  if (ts < limits.minTs) {
    reject(
      out,
      index,
      'ts_too_old',
      `readings[${index}].ts ${ts} is before the earliest accepted ${limits.minTs} (${isoOrRaw(limits.minTs)})`,
    );
    return;
  }
  if (ts > maxTs) {
    reject(
      out,
      index,
      'ts_in_future',
      `readings[${index}].ts ${ts} (${isoOrRaw(ts)}) is more than ${limits.maxFutureMs} ms ahead of ${limits.now}`,
    );
    return;
  }
  const value = r['value'];
  if (typeof value !== 'number') {
    reject(
      out,
      index,
      'invalid_value',
      `readings[${index}].value must be a number, got ${describeValue(value)}`,
    );
    return;
  }
  if (!Number.isFinite(value)) {
    reject(
      out,
      index,
      'non_finite_value',
      `readings[${index}].value must be finite, got ${describeValue(value)}`,
    );
    return;
  }
  const seq = r['seq'];
  if (seq !== undefined && !(Number.isSafeInteger(seq) && (seq as number) >= 0)) {
    reject(
      out,
      index,
      'invalid_seq',
      `readings[${index}].seq must be a non-negative safe integer, got ${describeValue(seq)}`,
    );
    return;
  }
  const rawTags = r['tags'];
  let tags: Record<string, string> | undefined;
  if (rawTags !== undefined) {
    tags = copyTags(rawTags, limits);
    if (tags === undefined) {
      reject(out, index, 'invalid_tags', `readings[${index}].tags ${tagsProblem(rawTags, limits)}`);
      return;
    }
  }

  const reading: Reading = { deviceId, metric, ts, value };
  if (seq !== undefined) reading.seq = seq as number;
  if (tags !== undefined) reading.tags = tags;
  out.readings.push(reading);
}

/**
 * A fresh copy of valid tags (so later mutation of the input cannot reach the reading), or undefined when
 * they break a rule. Keys follow the id rules; values are any string.
 */
function copyTags(raw: unknown, limits: ValidationLimits): Record<string, string> | undefined {
  if (!isRecord(raw)) return undefined;
  const keys = Object.keys(raw);
  if (keys.length > limits.maxTags) return undefined;
  const copy: Record<string, string> = {};
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k] as string;
    const v = raw[key];
    if (!isValidId(key, limits.maxTagLength) || key === PROTO_KEY) return undefined;
    if (typeof v !== 'string' || v.length > limits.maxTagLength) return undefined;
    copy[key] = v;
  }
  return copy;
}

// Only runs after copyTags failed, to explain which rule was broken.
function tagsProblem(raw: unknown, limits: ValidationLimits): string {
  if (!isRecord(raw)) return `must be an object of string values, got ${describeValue(raw)}`;
  const keys = Object.keys(raw);
  if (keys.length > limits.maxTags)
    return `has ${keys.length} entries, at most ${limits.maxTags} are allowed`;
  for (const key of keys) {
    if (!isValidId(key, limits.maxTagLength)) {
      return `key ${describeValue(key)} must be 1-${limits.maxTagLength} characters of [A-Za-z0-9._:-]`;
    }
    if (key === PROTO_KEY) return `key "${PROTO_KEY}" is not allowed`;
    const v = raw[key];
    if (typeof v !== 'string')
      return `value of ${describeValue(key)} must be a string, got ${describeValue(v)}`;
    if (v.length > limits.maxTagLength) {
      return `value of ${describeValue(key)} is longer than ${limits.maxTagLength} characters`;
    }
  }
  return 'are invalid';
}

// A valid id, but as a key it would be lost (or worse) wherever tags are copied by assignment.
const PROTO_KEY = '__proto__';

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function reject(out: EnvelopeValidation, index: number, reason: RejectionReason, message: string): void {
  out.rejections.push({ index, reason, message });
}

function refuseEnvelope(
  deviceId: string | undefined,
  reason: RejectionReason,
  message: string,
): EnvelopeValidation {
  return { deviceId, readings: [], rejections: [{ index: -1, reason, message }] };
}

function isoOrRaw(ts: number): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? String(ts) : d.toISOString();
}
