import { describeValue, isRejectionReason, REJECTION_REASONS } from './rejection';

describe('REJECTION_REASONS', () => {
  it('lists every reason of the contract once', () => {
    expect(new Set(REJECTION_REASONS).size).toBe(REJECTION_REASONS.length);
    expect(REJECTION_REASONS).toEqual(
      expect.arrayContaining([
        'malformed_json',
        'unknown_device',
        'unauthorized',
        'oversized',
        'device_mismatch',
      ]),
    );
    expect(REJECTION_REASONS).toHaveLength(17);
  });

  it('isRejectionReason recognises exactly those', () => {
    expect(REJECTION_REASONS.every(isRejectionReason)).toBe(true);
    expect(isRejectionReason('nope')).toBe(false);
    expect(isRejectionReason(undefined)).toBe(false);
  });
});

describe('describeValue', () => {
  it.each([
    [undefined, 'nothing'],
    [null, 'null'],
    [12.5, '12.5'],
    [Number.NaN, 'NaN'],
    [true, 'true'],
    [10n, '10'],
    ['12', '"12"'],
    [{ a: 1 }, '{"a":1}'],
    [[1, 2, 3], 'an array of 3 items'],
    [Symbol('s'), 'a symbol'],
  ])('renders %p as %p', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });

  it('truncates long values with an ellipsis', () => {
    const text = describeValue('x'.repeat(10_000), 20);
    expect(text).toHaveLength(20);
    expect(text.endsWith('…')).toBe(true);
  });

  it('never throws, even on cycles and bigint inside objects', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('an object');
    expect(describeValue({ n: 1n })).toBe('an object');
  });
});
