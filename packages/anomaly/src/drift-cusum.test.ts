import { DEFAULT_DETECTOR_CONFIG } from './detector-config';
import { DriftCusum, type DriftCusumOptions } from './drift-cusum';

/** The shipped settings. */
const options: DriftCusumOptions = {
  slack: DEFAULT_DETECTOR_CONFIG.driftCusumSlack,
  threshold: DEFAULT_DETECTOR_CONFIG.driftCusumThreshold,
  cap: DEFAULT_DETECTOR_CONFIG.driftCusumCap,
};

/** The window (index) at which the CUSUM first alarms on the z path, or undefined. */
function alarmAt(zs: readonly number[], o: DriftCusumOptions = options): number | undefined {
  const cusum = new DriftCusum(o);
  const i = zs.findIndex((z) => cusum.observe(z));
  return i < 0 ? undefined : i;
}

/** Seeded standard normal draws (mulberry32 + Box–Muller), so the noise test is the same on every run. */
function normals(seed: number, count: number): number[] {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => {
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  });
}

describe('DriftCusum', () => {
  it('is specified here with the shipped settings', () => {
    expect(options).toEqual({ slack: 1.5, threshold: 5, cap: 4 });
  });

  it('a ramp of 0.5 sigma a window alarms at its second window past 3 sigmas, not its third: the windows under 3 already count', () => {
    const ramp = Array.from({ length: 20 }, (_, i) => 0.5 * i);
    // z − 1.5 from z = 2 on: sums 0.5, 1.5, 3 (z = 3, window 6), 5 (window 7); three windows in a row: window 8.
    expect(alarmAt(ramp)).toBe(7);
    expect(ramp[6]).toBe(3);
  });

  it('a slower ramp alarms at the window it reaches 3 sigmas', () => {
    const ramp = Array.from({ length: 40 }, (_, i) => 0.25 * i);
    // 0.25, 0.5, 0.75, 1, 1.25, 1.5 over the slack from z = 1.75 (window 7): 3.75 at window 11, 5.25 at 12.
    expect(alarmAt(ramp)).toBe(12);
    expect(ramp[12]).toBe(3);
  });

  it('a negative drift alarms just like a positive one, on the lower sum', () => {
    const cusum = new DriftCusum(options);
    const alarms = Array.from({ length: 8 }, (_, i) => cusum.observe(-0.5 * i));
    expect(alarms.indexOf(true)).toBe(7);
    expect(cusum.lower).toBe(5);
    expect(cusum.upper).toBe(0);
  });

  it('white noise (z ~ N(0,1)) over a week of windows stays under the threshold; without the slack it would not', () => {
    const week = normals(42, 7 * 1_440);
    const cusum = new DriftCusum(options);
    let alarms = 0;
    let highest = 0;
    for (const z of week) {
      if (cusum.observe(z)) alarms++;
      highest = Math.max(highest, cusum.upper, cusum.lower);
    }
    expect(alarms).toBe(0);
    expect(highest).toBeGreaterThan(0);
    expect(highest).toBeLessThan(options.threshold);
    // The slack is what drains it: a random walk of the same draws wanders past the threshold within a day.
    expect(alarmAt(week, { ...options, slack: 0 })).toBeLessThan(1_440);
  });

  it('one wild window counts only up to the cap: a spike’s partial first window cannot fill the sum alone', () => {
    expect(alarmAt([0, 40])).toBeUndefined();
    const cusum = new DriftCusum(options);
    cusum.observe(40);
    expect(cusum.upper).toBe(options.cap - options.slack);
    // A sustained offset at the cap gets there on its second window.
    expect(alarmAt([40, 40, 40])).toBe(1);
  });

  it('zero-mean wobble drains what a short excursion put in', () => {
    const cusum = new DriftCusum(options);
    [3, 3].forEach((z) => cusum.observe(z));
    expect(cusum.upper).toBe(3);
    [0.5, -0.5, 0.5, -0.5].forEach((z) => cusum.observe(z));
    expect(cusum.upper).toBe(0);
  });

  it('reset forgets the evidence: after a gap an offset needs its full run again', () => {
    const kept = new DriftCusum(options);
    const reset = new DriftCusum(options);
    for (const c of [kept, reset]) [2, 2, 3].forEach((z) => c.observe(z));
    expect(reset.upper).toBe(2.5);
    reset.reset();
    expect([reset.upper, reset.lower]).toEqual([0, 0]);
    expect(kept.observe(4)).toBe(true);
    expect(reset.observe(4)).toBe(false);
    expect(reset.observe(4)).toBe(true);
  });
});
