import fc from 'fast-check';
import { envelopeArb, NOW } from './test-support/arbitraries';
import { MAX_FUTURE_MS, MIN_TS } from './reading';
import { DEFAULT_VALIDATION_LIMITS, validateEnvelope, validationLimitsAt } from './validate-envelope';

const limits = validationLimitsAt(NOW);

function reading(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { metric: 'temperature', ts: NOW - 1000, value: 21.5, ...overrides };
}

function validateOne(overrides: Record<string, unknown>) {
  return validateEnvelope({ deviceId: 'dev-1', readings: [reading(overrides)] }, limits);
}

function reasonsOf(overrides: Record<string, unknown>): string[] {
  return validateOne(overrides).rejections.map((r) => r.reason);
}

describe('DEFAULT_VALIDATION_LIMITS', () => {
  it('matches the documented defaults', () => {
    expect(DEFAULT_VALIDATION_LIMITS).toEqual({
      maxReadingsPerEnvelope: 10_000,
      maxFutureMs: MAX_FUTURE_MS,
      minTs: MIN_TS,
      maxTags: 16,
      maxTagLength: 64,
    });
  });

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(DEFAULT_VALIDATION_LIMITS)).toBe(true);
  });
});

describe('validationLimitsAt', () => {
  it('sets now on top of the defaults and applies overrides', () => {
    expect(validationLimitsAt(5, { maxTags: 2 })).toEqual({
      ...DEFAULT_VALIDATION_LIMITS,
      maxTags: 2,
      now: 5,
    });
  });
});

describe('validateEnvelope', () => {
  describe('a valid envelope', () => {
    it('keeps every reading, adding the envelope deviceId', () => {
      const result = validateEnvelope(
        {
          deviceId: 'dev-1',
          readings: [reading(), reading({ metric: 'humidity', value: 40, seq: 7, tags: { site: 'berlin' } })],
        },
        limits,
      );
      expect(result).toEqual({
        deviceId: 'dev-1',
        readings: [
          { deviceId: 'dev-1', metric: 'temperature', ts: NOW - 1000, value: 21.5 },
          {
            deviceId: 'dev-1',
            metric: 'humidity',
            ts: NOW - 1000,
            value: 40,
            seq: 7,
            tags: { site: 'berlin' },
          },
        ],
        rejections: [],
      });
    });

    it('ignores unknown fields and leaves them off the kept readings', () => {
      const result = validateEnvelope(
        { deviceId: 'dev-1', firmware: '1.2', readings: [reading({ unit: 'C', extra: { deep: true } })] },
        limits,
      );
      expect(result.rejections).toEqual([]);
      expect(result.readings).toEqual([
        { deviceId: 'dev-1', metric: 'temperature', ts: NOW - 1000, value: 21.5 },
      ]);
    });

    it('copies tags, so mutating the input afterwards does not change the reading', () => {
      const tags = { site: 'berlin' };
      const result = validateEnvelope({ deviceId: 'd', readings: [reading({ tags })] }, limits);
      tags.site = 'paris';
      expect(result.readings[0]?.tags).toEqual({ site: 'berlin' });
    });

    it('accepts a reading that repeats the envelope deviceId', () => {
      expect(reasonsOf({ deviceId: 'dev-1' })).toEqual([]);
    });

    it('keeps the valid readings of an envelope that also holds invalid ones, reporting each by index', () => {
      const result = validateEnvelope(
        {
          deviceId: 'dev-1',
          readings: [reading(), reading({ value: 'x' }), reading({ seq: 3 }), 42, reading({ ts: 1.5 })],
        },
        limits,
      );
      expect(result.readings.map((r) => r.seq)).toEqual([undefined, 3]);
      expect(result.rejections.map((r) => [r.index, r.reason])).toEqual([
        [1, 'invalid_value'],
        [3, 'not_an_object'],
        [4, 'invalid_ts'],
      ]);
    });
  });

  describe('envelope-level rejections (index -1, no readings)', () => {
    it.each([null, 42, 'text', true, [], [{ deviceId: 'd' }]])('not_an_object for %p', (input) => {
      const result = validateEnvelope(input, limits);
      expect(result).toEqual({
        deviceId: undefined,
        readings: [],
        rejections: [{ index: -1, reason: 'not_an_object', message: expect.any(String) }],
      });
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['a number', 12],
      ['129 characters', 'a'.repeat(129)],
      ['a space', 'dev 1'],
      ['a slash', 'dev/1'],
      ['a pipe', 'dev|1'],
      ['non-ASCII', 'gerät'],
    ])('invalid_device_id when the deviceId is %s', (_label, deviceId) => {
      const result = validateEnvelope({ deviceId, readings: [reading()] }, limits);
      expect(result.deviceId).toBeUndefined();
      expect(result.readings).toEqual([]);
      expect(result.rejections).toEqual([
        { index: -1, reason: 'invalid_device_id', message: expect.any(String) },
      ]);
    });

    it('accepts a deviceId of exactly 128 characters using every allowed character class', () => {
      const deviceId = 'Az09._:-'.repeat(16);
      expect(deviceId).toHaveLength(128);
      const result = validateEnvelope({ deviceId, readings: [reading()] }, limits);
      expect(result.rejections).toEqual([]);
      expect(result.readings[0]?.deviceId).toBe(deviceId);
    });

    it.each([
      ['missing', undefined],
      ['not an array', { 0: reading() }],
      ['empty', []],
    ])('missing_readings when readings are %s, still naming the device', (_label, readings) => {
      const result = validateEnvelope({ deviceId: 'dev-1', readings }, limits);
      expect(result).toEqual({
        deviceId: 'dev-1',
        readings: [],
        rejections: [{ index: -1, reason: 'missing_readings', message: expect.any(String) }],
      });
    });

    it('too_many_readings above maxReadingsPerEnvelope, while exactly the limit is accepted', () => {
      const small = validationLimitsAt(NOW, { maxReadingsPerEnvelope: 3 });
      const atLimit = validateEnvelope({ deviceId: 'd', readings: [reading(), reading(), reading()] }, small);
      expect(atLimit.readings).toHaveLength(3);
      const over = validateEnvelope(
        { deviceId: 'd', readings: [reading(), reading(), reading(), reading()] },
        small,
      );
      expect(over.readings).toEqual([]);
      expect(over.rejections).toEqual([
        { index: -1, reason: 'too_many_readings', message: expect.any(String) },
      ]);
      expect(over.rejections[0]?.message).toContain('4');
    });

    it('device_mismatch when the envelope names another device than the authenticated sender', () => {
      const result = validateEnvelope({ deviceId: 'dev-2', readings: [reading()] }, limits, 'dev-1');
      expect(result.rejections).toEqual([
        { index: -1, reason: 'device_mismatch', message: expect.any(String) },
      ]);
      expect(
        validateEnvelope({ deviceId: 'dev-1', readings: [reading()] }, limits, 'dev-1').readings,
      ).toHaveLength(1);
    });
  });

  describe('reading-level rejections', () => {
    it('not_an_object for a reading that is null, an array or a primitive', () => {
      const result = validateEnvelope({ deviceId: 'd', readings: [null, [reading()], 'r'] }, limits);
      expect(result.rejections.map((r) => [r.index, r.reason])).toEqual([
        [0, 'not_an_object'],
        [1, 'not_an_object'],
        [2, 'not_an_object'],
      ]);
    });

    it('device_mismatch for a reading naming another device than its envelope', () => {
      expect(reasonsOf({ deviceId: 'dev-2' })).toEqual(['device_mismatch']);
    });

    it.each([undefined, '', 'a'.repeat(65), 'temp c', 'temp/c', 5, null])(
      'invalid_metric for %p',
      (metric) => {
        expect(reasonsOf({ metric })).toEqual(['invalid_metric']);
      },
    );

    it('accepts underscores, dots, colons and dashes in metrics and tag keys', () => {
      expect(reasonsOf({ metric: 'temp_c.avg:1-x', tags: { device_type: 'probe' } })).toEqual([]);
    });

    it('accepts a metric of exactly 64 characters', () => {
      expect(reasonsOf({ metric: 'm'.repeat(64) })).toEqual([]);
    });

    it.each([undefined, null, '1717243200000', 1.5, Number.NaN, Number.POSITIVE_INFINITY, true])(
      'invalid_ts for %p',
      (ts) => {
        expect(reasonsOf({ ts })).toEqual(['invalid_ts']);
      },
    );

    it('ts_too_old one millisecond before minTs, while minTs itself is accepted', () => {
      expect(reasonsOf({ ts: MIN_TS })).toEqual([]);
      expect(reasonsOf({ ts: MIN_TS - 1 })).toEqual(['ts_too_old']);
    });

    it('ts_in_future one millisecond after now + maxFutureMs, while the bound itself is accepted', () => {
      expect(reasonsOf({ ts: NOW + MAX_FUTURE_MS })).toEqual([]);
      expect(reasonsOf({ ts: NOW + MAX_FUTURE_MS + 1 })).toEqual(['ts_in_future']);
    });

    it('honours custom minTs and maxFutureMs', () => {
      const strict = validationLimitsAt(NOW, { minTs: NOW - 10, maxFutureMs: 0 });
      const result = validateEnvelope(
        {
          deviceId: 'd',
          readings: [reading({ ts: NOW - 11 }), reading({ ts: NOW + 1 }), reading({ ts: NOW })],
        },
        strict,
      );
      expect(result.rejections.map((r) => r.reason)).toEqual(['ts_too_old', 'ts_in_future']);
      expect(result.readings).toHaveLength(1);
    });

    it.each([undefined, null, '12', '', true, { v: 1 }, [1]])('invalid_value for %p', (value) => {
      expect(reasonsOf({ value })).toEqual(['invalid_value']);
    });

    it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
      'non_finite_value for %p',
      (value) => {
        expect(reasonsOf({ value })).toEqual(['non_finite_value']);
      },
    );

    it('accepts negative, zero and fractional values', () => {
      expect(validateOne({ value: -3.25 }).readings[0]?.value).toBe(-3.25);
      expect(validateOne({ value: 0 }).readings[0]?.value).toBe(0);
    });

    it.each([-1, 1.5, '3', null, Number.MAX_SAFE_INTEGER + 1, Number.NaN])('invalid_seq for %p', (seq) => {
      expect(reasonsOf({ seq })).toEqual(['invalid_seq']);
    });

    it('accepts seq 0 and the largest safe integer', () => {
      expect(reasonsOf({ seq: 0 })).toEqual([]);
      expect(reasonsOf({ seq: Number.MAX_SAFE_INTEGER })).toEqual([]);
    });

    it.each([
      ['null', null],
      ['an array', ['site']],
      ['a string', 'site=berlin'],
      ['a number value', { site: 1 }],
      ['a null value', { site: null }],
      ['a nested object value', { site: { name: 'berlin' } }],
      ['an empty key', { '': 'x' }],
      ['a key outside the id set', { 'site name': 'berlin' }],
      ['a __proto__ key', JSON.parse('{"__proto__":"x"}')],
      ['a key longer than maxTagLength', { ['k'.repeat(65)]: 'x' }],
      ['a value longer than maxTagLength', { site: 'v'.repeat(65) }],
      ['more than maxTags entries', Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v']))],
    ])('invalid_tags for %s', (_label, tags) => {
      const result = validateOne({ tags });
      expect(result.rejections.map((r) => r.reason)).toEqual(['invalid_tags']);
      expect(result.rejections[0]?.message).toMatch(/^readings\[0\]\.tags /);
    });

    it('accepts maxTags entries with keys and values of maxTagLength', () => {
      const tags = Object.fromEntries(
        Array.from({ length: 16 }, (_, i) => [`${i}`.padEnd(64, 'k'), 'v'.repeat(64)]),
      );
      expect(reasonsOf({ tags })).toEqual([]);
    });

    it('accepts tag values with spaces and non-ASCII characters', () => {
      expect(validateOne({ tags: { site: 'Berlin Mitte', room: 'Küche' } }).readings[0]?.tags).toEqual({
        site: 'Berlin Mitte',
        room: 'Küche',
      });
    });

    it('reports only the first broken rule of a reading, checking metric, ts, value, seq, tags in order', () => {
      expect(reasonsOf({ metric: '', ts: 'x', value: 'y', seq: -1, tags: 1 })).toEqual(['invalid_metric']);
      expect(reasonsOf({ ts: 'x', value: 'y' })).toEqual(['invalid_ts']);
      expect(reasonsOf({ value: 'y', seq: -1 })).toEqual(['invalid_value']);
      expect(reasonsOf({ seq: -1, tags: 1 })).toEqual(['invalid_seq']);
    });

    it('quotes the offending value, truncated, in the message', () => {
      const [rejection] = validateOne({ metric: 'x'.repeat(5000) }).rejections;
      expect(rejection?.message).toContain('readings[0].metric');
      expect(rejection?.message).toContain('"xxxx');
      expect(rejection?.message.length).toBeLessThan(200);
    });
  });

  describe('on any input', () => {
    it('never throws, and either refuses the envelope whole or accounts for every reading once', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.anything(),
            fc.record({ deviceId: fc.oneof(fc.constant('dev-1'), fc.anything()), readings: fc.anything() }),
            fc.record({
              deviceId: fc.constant('dev-1'),
              readings: fc.array(fc.anything(), { minLength: 1 }),
            }),
          ),
          (input) => {
            const result = validateEnvelope(input, limits);
            const whole = result.rejections.filter((r) => r.index === -1);
            if (whole.length > 0) {
              expect(result.rejections).toHaveLength(1);
              expect(result.readings).toEqual([]);
            } else {
              const count = (input as { readings: unknown[] }).readings.length;
              expect(result.readings.length + result.rejections.length).toBe(count);
            }
          },
        ),
      );
    });

    it('keeps every reading of a contract-valid envelope unchanged', () => {
      fc.assert(
        fc.property(envelopeArb, (env) => {
          const result = validateEnvelope(env, limits);
          expect(result.rejections).toEqual([]);
          expect(result.readings).toEqual(env.readings.map((r) => ({ deviceId: env.deviceId, ...r })));
        }),
      );
    });
  });
});
