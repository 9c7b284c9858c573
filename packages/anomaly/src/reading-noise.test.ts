import { aggregateOf } from '@lambda-iot/core';
import { ReadingNoise, readingStep, windowSpread } from './reading-noise';

const T0 = Date.UTC(2026, 0, 10);
const agg = (values: number[], start = T0) =>
  aggregateOf(values.map((value, i) => ({ ts: start + i * 10_000, value })));

describe('reading noise', () => {
  it('a window’s spread is the standard deviation of its readings; undefined for a single reading', () => {
    expect(windowSpread(agg([1, 3]))).toBeCloseTo(1, 12);
    expect(windowSpread(agg([5, 5, 5]))).toBe(0);
    expect(windowSpread(agg([5]))).toBeUndefined();
  });

  it('a step inside a window shows as its range; a step on the boundary as the jump from the last reading before', () => {
    const before = agg([20, 20.2, 19.9, 20.1]);
    expect(readingStep(agg([20, 20.1, 30, 30.2]), before)).toBeCloseTo(10.2, 9);
    expect(readingStep(agg([30, 30.1, 30.2]), before)).toBeCloseTo(9.9, 9);
    expect(readingStep(agg([30, 30.1, 30.2]), undefined)).toBeCloseTo(0.2, 9);
  });

  it('learns a series’ usual spread; one wild window cannot inflate it much; the floor applies below', () => {
    const noise = new ReadingNoise();
    expect(noise.sigma(0.1)).toBe(0.1);
    for (let i = 0; i < 50; i++) noise.learn(0.3);
    expect(noise.sigma(0.1)).toBeCloseTo(0.3, 6);
    noise.learn(100);
    expect(noise.sigma(0.1)).toBeLessThan(0.35);
    expect(noise.sigma(1)).toBe(1);
    noise.learn(0); // a stuck window says nothing about the noise
    expect(noise.sigma(0.1)).toBeGreaterThan(0.3);
  });
});
