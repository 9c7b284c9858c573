import { aggregateOf } from '@lambda-iot/core';
import { ConstantRun } from './constant-run';

const M = 60_000;
const T0 = Date.UTC(2026, 0, 10);

/** Extends `run` with minute `m`'s aggregate of `readings`, keyed by the second (past the minute) they were taken. */
function extend(run: ConstantRun, m: number, readings: Record<number, number>): boolean {
  const aggregate = aggregateOf(
    Object.entries(readings).map(([s, value]) => ({ ts: T0 + m * M + Number(s) * 1000, value })),
  );
  return run.extend(T0 + m * M, aggregate);
}

describe('ConstantRun', () => {
  it('has no run before any window', () => {
    expect(new ConstantRun().spanMs).toBe(0);
  });

  it('a window of one value starts a run at its first reading; the next window of the same value continues it', () => {
    const run = new ConstantRun();
    extend(run, 0, { 10: 5, 50: 5 });
    expect(run.spanMs).toBe(40_000);
    extend(run, 1, { 10: 5, 30: 5 });
    expect(run.spanMs).toBe(80_000);
    expect(run.repeated).toBe(5);
  });

  it('a window with two values leaves only its last reading as a run, which the next window can continue', () => {
    const run = new ConstantRun();
    extend(run, 0, { 10: 4, 50: 5 });
    expect(run.spanMs).toBe(0);
    extend(run, 1, { 10: 5, 50: 5 });
    expect(run.spanMs).toBe(60_000);
  });

  it('a different value, or a skipped minute, starts over', () => {
    const run = new ConstantRun();
    extend(run, 0, { 0: 5, 50: 5 });
    extend(run, 1, { 0: 6, 50: 6 });
    expect(run.spanMs).toBe(50_000);
    extend(run, 3, { 0: 6, 10: 6 });
    expect(run.spanMs).toBe(10_000);
  });

  it('grows with the early results of the same window and ends when that window changes value', () => {
    const run = new ConstantRun();
    extend(run, 0, { 0: 5, 10: 5 });
    extend(run, 0, { 0: 5, 10: 5, 20: 5 });
    expect(run.spanMs).toBe(20_000);
    extend(run, 0, { 0: 5, 10: 5, 20: 5, 30: 7 });
    expect(run.spanMs).toBe(0);
    expect(run.repeated).toBe(7);
  });

  it('follows a run reading by reading through the early states of a window, wherever in the minute it begins', () => {
    const run = new ConstantRun();
    const readings: Record<number, number> = {};
    const spans = [{ 0: 5 }, { 10: 7 }, { 20: 7 }, { 30: 7, 40: 7 }].map((added) => {
      Object.assign(readings, added);
      extend(run, 0, readings);
      return run.spanMs;
    });
    // 5 then 7 at +10 s: a run of one reading; it lasts to +20 s, then through two readings at once to +40 s.
    expect(spans).toEqual([0, 0, 10_000, 30_000]);
    expect(run.repeated).toBe(7);
    // ... and on into the next minute
    extend(run, 1, { 0: 7 });
    expect(run.spanMs).toBe(50_000);
  });

  it('starts over at the newest reading when the readings a state added were not all the run value', () => {
    const run = new ConstantRun();
    extend(run, 0, { 0: 5, 10: 7, 20: 7 });
    extend(run, 0, { 0: 5, 10: 7, 20: 7, 30: 6, 40: 7 });
    expect(run.spanMs).toBe(0);
    extend(run, 0, { 0: 5, 10: 7, 20: 7, 30: 6, 40: 7, 50: 7 });
    expect(run.spanMs).toBe(10_000);
  });

  it('does not trust a state whose added reading came out of order inside the window', () => {
    const run = new ConstantRun();
    extend(run, 0, { 0: 5, 20: 7 });
    extend(run, 0, { 0: 5, 10: 7, 20: 7 }); // the new reading is older than +20 s
    expect(run.spanMs).toBe(0);
  });

  it('ignores a window older than the newest it was extended with, and empty windows', () => {
    const run = new ConstantRun();
    extend(run, 1, { 0: 5, 20: 5 });
    expect(extend(run, 0, { 0: 1, 20: 2 })).toBe(false);
    expect(extend(run, 2, {})).toBe(false);
    expect(run.spanMs).toBe(20_000);
  });
});
