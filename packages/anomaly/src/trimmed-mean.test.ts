import { aggregateOf } from '@lambda-iot/core';
import { trimmedMean } from './trimmed-mean';

const of = (values: number[]) => aggregateOf(values.map((value, i) => ({ ts: i * 1000, value })));

describe('trimmedMean', () => {
  it('drops the lowest and the highest reading from three on', () => {
    expect(trimmedMean(of([0.2, 0.21, 7.5, 0.22, 0.19, 0.2]))).toBeCloseTo((0.2 + 0.21 + 0.22 + 0.2) / 4, 12);
    expect(trimmedMean(of([3, 100, 4]))).toBe(4);
  });

  it('is the plain mean for one or two readings', () => {
    expect(trimmedMean(of([5]))).toBe(5);
    expect(trimmedMean(of([5, 7]))).toBe(6);
  });
});
