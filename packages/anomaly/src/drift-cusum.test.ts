import { DEFAULT_DETECTOR_CONFIG } from './detector-config';
import { DriftCusum, type DriftCusumOptions } from './drift-cusum';

const options: DriftCusumOptions = { slack: 1, threshold: 5, cap: 3 };

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
  it('a ramp of 0.5 sigma a window alarms at the window it reaches 3 sigmas: the windows under 3 already count', () => {
    const ramp = Array.from({ length: 20 }, (_, i) => 0.5 * i);
    // Sums 0, 0, 0, 0.5, 1.5, 3, 5: z − 1 from z = 1.5 on.
    expect(alarmAt(ramp)).toBe(6);
    expect(ramp[6]).toBe(3);
  });

  it('a slower ramp alarms while still under 3 sigmas', () => {
    const ramp = Array.from({ length: 40 }, (_, i) => 0.25 * i);
    // 0.25, 0.5, 0.75, 1, 1.25 over the slack from z = 1.25 (window 5): sum 3.75 at window 9, 5.25 at window 10.
    expect(alarmAt(ramp)).toBe(10);
    expect(ramp[10]).toBeLessThan(3);
  });

  it('a negative drift alarms just like a positive one, on the lower sum', () => {
    const cusum = new DriftCusum(options);
    const alarms = Array.from({ length: 7 }, (_, i) => cusum.observe(-0.5 * i));
    expect(alarms.indexOf(true)).toBe(6);
    expect(cusum.lower).toBe(5);
    expect(cusum.upper).toBe(0);
  });

  it('white noise (z ~ N(0,1)) over a day of windows stays under the threshold; without the slack it would not', () => {
    const day = normals(42, 1_440);
    const cusum = new DriftCusum(options);
    let highest = 0;
    for (const z of day) {
      expect(cusum.observe(z)).toBe(false);
      highest = Math.max(highest, cusum.upper, cusum.lower);
    }
    expect(highest).toBeGreaterThan(0);
    expect(highest).toBeLessThan(options.threshold);
    // The slack is what drains it: a random walk of the same draws wanders past the threshold.
    expect(alarmAt(day, { ...options, slack: 0 })).toBeDefined();
  });

  it('with the shipped settings, a week of white noise raises at most a few alarms, each resetting the sum', () => {
    const { driftCusumSlack: slack, driftCusumThreshold: threshold, driftCusumCap: cap } =
      DEFAULT_DETECTOR_CONFIG;
    const cusum = new DriftCusum({ slack, threshold, cap });
    let alarms = 0;
    for (const z of normals(7, 7 * 1_440))
      if (cusum.observe(z)) {
        alarms++;
        cusum.reset();
      }
    expect(alarms).toBeLessThanOrEqual(3);
  });

  it('one wild window counts only up to the cap: a spike’s partial first window cannot fill the sum alone', () => {
    expect(alarmAt([0, 40])).toBeUndefined();
    const cusum = new DriftCusum(options);
    cusum.observe(40);
    expect(cusum.upper).toBe(options.cap - options.slack);
    // A sustained offset at the cap still gets there.
    expect(alarmAt([40, 40, 40])).toBe(2);
  });

  it('zero-mean wobble drains what a short excursion put in', () => {
    const cusum = new DriftCusum(options);
    [3, 3].forEach((z) => cusum.observe(z));
    expect(cusum.upper).toBe(4);
    [0.5, -0.5, 0.5, -0.5].forEach((z) => cusum.observe(z));
    expect(cusum.upper).toBe(0);
  });

  it('reset forgets the evidence: after a gap a ramp needs its full run again', () => {
    const cusum = new DriftCusum(options);
    [2, 2, 3].forEach((z) => cusum.observe(z));
    expect(cusum.upper).toBe(4);
    cusum.reset();
    expect([cusum.upper, cusum.lower]).toEqual([0, 0]);
    expect(cusum.observe(3)).toBe(false);
    expect(cusum.observe(3)).toBe(false);
    expect(cusum.observe(3)).toBe(true);
  });
});
