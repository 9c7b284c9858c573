// Bad payloads a real fleet sends (broken JSON, wrong types, impossible timestamps), with the rejection each must earn.
import type { RejectionReason } from '@lambda-iot/core';
import type { Prng } from './prng';

export const MALFORMED_KINDS = [
  'truncated_json',
  'nan_literal',
  'infinity_overflow',
  'value_as_string',
  'nan_as_string',
  'ts_as_string',
  'ts_in_1990',
  'ts_far_future',
  'not_an_object',
] as const;

export type MalformedKind = (typeof MALFORMED_KINDS)[number];

/** The reason core's `decodeEnvelope` gives each kind: tests compare DLQ headers with it. */
export const EXPECTED_REJECTION: Readonly<Record<MalformedKind, RejectionReason>> = {
  truncated_json: 'malformed_json',
  // JSON has no NaN or Infinity literal, so devices that print them produce unparseable text.
  nan_literal: 'malformed_json',
  // 1e999 parses, as Infinity.
  infinity_overflow: 'non_finite_value',
  value_as_string: 'invalid_value',
  nan_as_string: 'invalid_value',
  ts_as_string: 'invalid_ts',
  ts_in_1990: 'ts_too_old',
  ts_far_future: 'ts_in_future',
  not_an_object: 'not_an_object',
};

// Absolute rather than relative to the simulated clock: a run whose event times lie in the past must still
// produce timestamps every receiver refuses.
const TS_1990 = Date.UTC(1990, 5, 1);
const TS_2100 = Date.UTC(2100, 0, 1);

/** The bytes of one malformed record claiming to come from `deviceId`, at simulated time `ts`. */
export function malformedBytes(kind: MalformedKind, deviceId: string, ts: number, rng: Prng): Buffer {
  const id = JSON.stringify(deviceId);
  const value = Math.round(rng.range(10, 30) * 100) / 100;
  const env = (reading: string): string => `{"deviceId":${id},"readings":[${reading}]}`;
  switch (kind) {
    case 'truncated_json': {
      const whole = env(`{"metric":"temperature","ts":${ts},"value":${value}}`);
      return Buffer.from(whole.slice(0, rng.int(5, whole.length - 2)), 'utf8');
    }
    case 'nan_literal':
      return Buffer.from(env(`{"metric":"temperature","ts":${ts},"value":NaN}`), 'utf8');
    case 'infinity_overflow':
      return Buffer.from(env(`{"metric":"temperature","ts":${ts},"value":1e999}`), 'utf8');
    case 'value_as_string':
      return Buffer.from(env(`{"metric":"temperature","ts":${ts},"value":"${value}"}`), 'utf8');
    case 'nan_as_string':
      return Buffer.from(env(`{"metric":"temperature","ts":${ts},"value":"NaN"}`), 'utf8');
    case 'ts_as_string':
      return Buffer.from(
        env(`{"metric":"temperature","ts":"${new Date(ts).toISOString()}","value":${value}}`),
        'utf8',
      );
    case 'ts_in_1990':
      return Buffer.from(
        env(`{"metric":"temperature","ts":${TS_1990 + rng.int(0, 1_000_000)},"value":${value}}`),
        'utf8',
      );
    case 'ts_far_future':
      return Buffer.from(
        env(`{"metric":"temperature","ts":${TS_2100 + rng.int(0, 1_000_000)},"value":${value}}`),
        'utf8',
      );
    case 'not_an_object':
      // A CSV line sent as a JSON string: valid JSON, but not an envelope.
      return Buffer.from(JSON.stringify(`${deviceId},${ts},${value}`), 'utf8');
  }
}
