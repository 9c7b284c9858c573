import fc from 'fast-check';
import {
  ID_PATTERN,
  isValidId,
  MAX_DEVICE_ID_LENGTH,
  MAX_FUTURE_MS,
  MAX_METRIC_LENGTH,
  MIN_TS,
  readingKey,
} from './reading';

describe('reading constants', () => {
  it('match the architecture contract', () => {
    expect(MAX_DEVICE_ID_LENGTH).toBe(128);
    expect(MAX_METRIC_LENGTH).toBe(64);
    expect(MIN_TS).toBe(Date.parse('2000-01-01T00:00:00Z'));
    expect(MAX_FUTURE_MS).toBe(24 * 60 * 60 * 1000);
    expect(ID_PATTERN.source).toBe('^[A-Za-z0-9._:-]+$');
  });
});

describe('isValidId', () => {
  it('accepts letters, digits and . _ : -', () => {
    expect(isValidId('sensor_01-b.floor:3', 64)).toBe(true);
    expect(isValidId('A', 1)).toBe(true);
  });

  it.each(['', 'a b', 'a/b', 'a|b', 'ä', 'a\n', '\u0000'])('rejects %p', (s) => {
    expect(isValidId(s, 64)).toBe(false);
  });

  it('rejects strings longer than maxLen and non-strings', () => {
    expect(isValidId('a'.repeat(5), 5)).toBe(true);
    expect(isValidId('a'.repeat(6), 5)).toBe(false);
    expect(isValidId(5, 5)).toBe(false);
    expect(isValidId(undefined, 5)).toBe(false);
  });

  it('agrees with ID_PATTERN on every string', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 12 }),
          fc.stringMatching(/^[A-Za-z0-9._:\- /]{0,12}$/),
        ),
        (s) => {
          expect(isValidId(s, 12)).toBe(ID_PATTERN.test(s));
        },
      ),
    );
  });
});

describe('readingKey', () => {
  it('is deviceId|metric|ts|seq', () => {
    expect(readingKey({ deviceId: 'd', metric: 'm', ts: 1000, seq: 7 })).toBe('d|m|1000|7');
  });

  it('leaves seq empty when absent, distinct from seq 0', () => {
    expect(readingKey({ deviceId: 'd', metric: 'm', ts: 1000 })).toBe('d|m|1000|');
    expect(readingKey({ deviceId: 'd', metric: 'm', ts: 1000, seq: 0 })).toBe('d|m|1000|0');
  });

  it('ignores value and tags: a resent reading is the same reading', () => {
    const a = { deviceId: 'd', metric: 'm', ts: 1, value: 1, tags: { site: 'a' } };
    const b = { deviceId: 'd', metric: 'm', ts: 1, value: 2 };
    expect(readingKey(a)).toBe(readingKey(b));
  });
});
