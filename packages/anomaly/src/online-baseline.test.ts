import { OnlineBaseline } from './online-baseline';

const M = 60_000;
const T0 = Date.UTC(2026, 0, 10);
const options = { minWindows: 10, maxWindows: 20, maxAgeMinutes: 30 };
/** A small alternating wobble, so residuals have a spread. */
const wobble = (i: number) => (i % 2 === 0 ? 0.1 : -0.1);

describe('OnlineBaseline', () => {
  it('answers nothing until it has learned minWindows windows', () => {
    const b = new OnlineBaseline(options);
    for (let i = 0; i < 9; i++) b.learn(T0 + i * M, 20);
    expect(b.expected(T0 + 9 * M)).toBeUndefined();
    b.learn(T0 + 9 * M, 20);
    expect(b.expected(T0 + 10 * M)).toEqual({ median: 20, mad: 0, n: 10 });
  });

  it('extrapolates a local trend (a daily cycle is nearly linear over an hour), with the residual spread', () => {
    const b = new OnlineBaseline(options);
    for (let i = 0; i < 20; i++) b.learn(T0 + i * M, 10 + 0.5 * i + wobble(i));
    const e = b.expected(T0 + 25 * M)!;
    expect(e.median).toBeCloseTo(10 + 0.5 * 25, 1);
    expect(e.mad).toBeCloseTo(0.1, 1);
    expect(e.n).toBe(20);
  });

  it('is robust: a few wild windows move neither level nor trend', () => {
    const b = new OnlineBaseline(options);
    for (let i = 0; i < 20; i++) b.learn(T0 + i * M, i === 7 || i === 13 ? 500 : 20 + wobble(i));
    expect(Math.abs(b.expected(T0 + 20 * M)!.median - 20)).toBeLessThan(0.11); // within the wobble
  });

  it('keeps only the last maxWindows windows', () => {
    const b = new OnlineBaseline(options);
    for (let i = 0; i < 20; i++) b.learn(T0 + i * M, 0);
    for (let i = 20; i < 40; i++) b.learn(T0 + i * M, 50 + wobble(i));
    expect(b.size).toBe(20);
    expect(b.expected(T0 + 40 * M)!.median).toBeCloseTo(50, 1);
  });

  it('forgets everything when its newest window is older than maxAgeMinutes, and learns again', () => {
    const b = new OnlineBaseline(options);
    for (let i = 0; i < 20; i++) b.learn(T0 + i * M, 20);
    expect(b.expected(T0 + 49 * M)).toBeDefined();
    expect(b.expected(T0 + 51 * M)).toBeUndefined();
    expect(b.size).toBe(0);
  });
});
