import { DAY_MS, HOUR_MS, MINUTE_MS } from '@lambda-iot/core';
import { checkStep, chooseStep, DEFAULT_STEP_LIMITS, StepRangeError } from './step-choice';

const T = Date.UTC(2024, 5, 1);

describe('chooseStep', () => {
  it('picks the finest step within 1,500 points: 1m up to 25 hours, then 1h, then 1d', () => {
    expect(chooseStep(T, T + 1_500 * MINUTE_MS, DEFAULT_STEP_LIMITS)).toBe('1m');
    expect(chooseStep(T, T + 1_501 * MINUTE_MS, DEFAULT_STEP_LIMITS)).toBe('1h');
    expect(chooseStep(T, T + 1_500 * HOUR_MS, DEFAULT_STEP_LIMITS)).toBe('1h');
    expect(chooseStep(T, T + 1_501 * HOUR_MS, DEFAULT_STEP_LIMITS)).toBe('1d');
  });

  it('refuses a range too long for any step', () => {
    expect(() => chooseStep(T, T + 1_501 * DAY_MS, DEFAULT_STEP_LIMITS)).toThrow(StepRangeError);
  });

  it('honours a configured points limit', () => {
    expect(chooseStep(T, T + 2 * HOUR_MS, { ...DEFAULT_STEP_LIMITS, maxPoints: 100 })).toBe('1h');
  });
});

describe('checkStep', () => {
  it('accepts a step within both limits', () => {
    expect(() => checkStep('1m', T, T + DAY_MS, DEFAULT_STEP_LIMITS)).not.toThrow();
  });

  it('names the points limit when a step gives too many points', () => {
    expect(() => checkStep('1m', T, T + 2 * DAY_MS, DEFAULT_STEP_LIMITS)).toThrow(
      /2880 points, more than the limit of 1500/,
    );
  });

  it('names the range limit of the step', () => {
    const limits = { maxPoints: 1_000_000, maxRangeMs: { ...DEFAULT_STEP_LIMITS.maxRangeMs } };
    expect(() => checkStep('1m', T, T + 8 * DAY_MS, limits)).toThrow(/longest allowed for step 1m/);
  });
});
