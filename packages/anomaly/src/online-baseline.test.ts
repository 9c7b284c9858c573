import { isOnlineBaselineSnapshot, OnlineBaseline } from './online-baseline';

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

  it('learns a window only if it starts after the newest learned one (a replay re-scores windows it holds)', () => {
    const b = new OnlineBaseline(options);
    for (let i = 0; i < 10; i++) expect(b.learn(T0 + i * M, 20 + wobble(i))).toBe(true);
    const before = b.snapshot();
    expect(b.learn(T0 + 9 * M, 500)).toBe(false);
    expect(b.learn(T0 + 3 * M, 500)).toBe(false);
    expect(b.snapshot()).toEqual(before);
    expect(b.learn(T0 + 10 * M, 20)).toBe(true);
    expect(b.size).toBe(11);
  });

  it('snapshot: what it learned, oldest first, as a copy', () => {
    const b = new OnlineBaseline(options);
    for (let i = 0; i < 3; i++) b.learn(T0 + i * M, 20 + i);
    const s = b.snapshot();
    expect(s).toEqual({ times: [T0, T0 + M, T0 + 2 * M], means: [20, 21, 22] });
    s.times.length = 0;
    s.means.push(99);
    expect(b.size).toBe(3);
    expect(b.snapshot()).toEqual({ times: [T0, T0 + M, T0 + 2 * M], means: [20, 21, 22] });
  });

  it('restore: a baseline restored from a snapshot answers as the one that learned it', () => {
    const learned = new OnlineBaseline(options);
    for (let i = 0; i < 15; i++) learned.learn(T0 + i * M, 10 + 0.5 * i + wobble(i));
    const restored = new OnlineBaseline(options);
    expect(restored.restore(learned.snapshot())).toBe(true);
    expect(restored.expected(T0 + 16 * M)).toEqual(learned.expected(T0 + 16 * M));
    // and it goes on learning after the snapshot's newest window only
    expect(restored.learn(T0 + 14 * M, 0)).toBe(false);
    expect(restored.learn(T0 + 15 * M, 17.5)).toBe(true);
  });

  it('restore replaces what it had learned, and copies the snapshot', () => {
    const b = new OnlineBaseline(options);
    for (let i = 0; i < 5; i++) b.learn(T0 + (100 + i) * M, 50);
    const s = { times: [T0, T0 + M], means: [1, 2] };
    expect(b.restore(s)).toBe(true);
    s.means[0] = 99;
    expect(b.snapshot()).toEqual({ times: [T0, T0 + M], means: [1, 2] });
  });

  it('restore keeps only the newest maxWindows windows of a longer snapshot', () => {
    const b = new OnlineBaseline(options);
    const times = Array.from({ length: 25 }, (_, i) => T0 + i * M);
    expect(b.restore({ times, means: times.map((_, i) => i) })).toBe(true);
    expect(b.snapshot()).toEqual({ times: times.slice(5), means: times.slice(5).map((_, i) => i + 5) });
  });

  it('restore of a snapshot too old to extrapolate from forgets it at the next window', () => {
    const b = new OnlineBaseline(options);
    const times = Array.from({ length: 12 }, (_, i) => T0 + i * M);
    b.restore({ times, means: times.map(() => 20) });
    expect(b.expected(T0 + 60 * M)).toBeUndefined();
    expect(b.size).toBe(0);
  });

  it.each([
    ['lengths differ', { times: [T0, T0 + M], means: [1] }],
    ['times not strictly increasing', { times: [T0, T0], means: [1, 2] }],
    ['times out of order', { times: [T0 + M, T0], means: [1, 2] }],
    ['a time not finite', { times: [T0, Number.POSITIVE_INFINITY], means: [1, 2] }],
    ['a mean not finite', { times: [T0, T0 + M], means: [1, Number.NaN] }],
    ['a mean not a number', { times: [T0, T0 + M], means: [1, '2'] }],
    ['arrays missing', { times: [T0] }],
    ['not an object', null],
  ])('restore ignores an invalid snapshot (%s): it keeps what it had and does not throw', (_, snapshot) => {
    const b = new OnlineBaseline(options);
    for (let i = 0; i < 3; i++) b.learn(T0 + i * M, 20);
    const before = b.snapshot();
    expect(isOnlineBaselineSnapshot(snapshot)).toBe(false);
    expect(b.restore(snapshot as never)).toBe(false);
    expect(b.snapshot()).toEqual(before);
  });

  it('an empty snapshot is valid: the baseline restored from it learns from scratch', () => {
    const b = new OnlineBaseline(options);
    b.learn(T0, 20);
    expect(b.restore({ times: [], means: [] })).toBe(true);
    expect(b.size).toBe(0);
  });
});
