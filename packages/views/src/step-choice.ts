// Which step answers a range: the finest that fits the points limit, and the range each step may span.
import { countWindows, DAY_MS, RESOLUTIONS, ValidationError, type Resolution } from '@lambda-iot/core';

export interface StepLimits {
  /** Most points (windows) one series may return. */
  maxPoints: number;
  /** Longest range, in ms, each step may be asked for. */
  maxRangeMs: Readonly<Record<Resolution, number>>;
}

export const DEFAULT_STEP_LIMITS: StepLimits = Object.freeze({
  maxPoints: 1_500,
  maxRangeMs: Object.freeze({ '1m': 7 * DAY_MS, '1h': 366 * DAY_MS, '1d': 3_653 * DAY_MS }),
});

/** Thrown for a step that cannot answer the range; its message is the reason a client sees. */
export class StepRangeError extends ValidationError {
  constructor(message: string) {
    super(message, { code: 'step_range' });
  }
}

/** Checks an explicit step against the limits; throws a StepRangeError naming the limit that was hit. */
export function checkStep(step: Resolution, from: number, to: number, limits: StepLimits): void {
  const range = to - from;
  if (range > limits.maxRangeMs[step]) {
    throw new StepRangeError(
      `range of ${range} ms is longer than ${limits.maxRangeMs[step]} ms, the longest allowed for step ${step}`,
    );
  }
  const points = countWindows(from, to, step);
  if (points > limits.maxPoints) {
    throw new StepRangeError(
      `step ${step} over this range gives ${points} points, more than the limit of ${limits.maxPoints}; use a coarser step or a shorter range`,
    );
  }
}

/** The finest step whose point count and range fit the limits; a StepRangeError when none does. */
export function chooseStep(from: number, to: number, limits: StepLimits): Resolution {
  for (const step of RESOLUTIONS) {
    if (to - from <= limits.maxRangeMs[step] && countWindows(from, to, step) <= limits.maxPoints) return step;
  }
  throw new StepRangeError(
    `range of ${to - from} ms is too long for any step within ${limits.maxPoints} points per response`,
  );
}
