import { MAD_TO_SIGMA, median, robustStatsOf, robustZ, signedRobustZ } from './robust-stats';

describe('robust statistics', () => {
  it('takes the middle value of an odd sample and the mean of the two middle values of an even one', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([10, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('MAD is the median absolute deviation from the median, unmoved by one wild outlier', () => {
    expect(robustStatsOf([1, 2, 3, 10])).toEqual({ median: 2.5, mad: 1, n: 4 });
    const calm = robustStatsOf([10, 11, 9, 10, 10.5])!;
    const wild = robustStatsOf([10, 11, 9, 10, 1_000_000])!;
    expect(wild.median).toBe(calm.median);
    expect(wild.mad).toBe(1);
    expect(robustStatsOf([])).toBeUndefined();
  });

  it('robust z measures distance from the median in MAD-based sigmas, never below the scale floor', () => {
    const stats = { median: 20, mad: 1, n: 100 };
    expect(robustZ(20 + 6 * MAD_TO_SIGMA, stats, 0)).toBeCloseTo(6, 12);
    expect(robustZ(20 - 3 * MAD_TO_SIGMA, stats, 0)).toBeCloseTo(3, 12);
    // A constant history (MAD 0) measures against the floor instead of dividing by zero.
    expect(robustZ(21, { median: 20, mad: 0, n: 100 }, 0.5)).toBe(2);
    expect(Number.isFinite(robustZ(21, { median: 20, mad: 0, n: 100 }, 0))).toBe(true);
  });

  it('signed robust z keeps the direction: negative below the median, the same size as robust z', () => {
    const stats = { median: 20, mad: 1, n: 100 };
    expect(signedRobustZ(20 - 3 * MAD_TO_SIGMA, stats, 0)).toBeCloseTo(-3, 12);
    expect(signedRobustZ(20 + 3 * MAD_TO_SIGMA, stats, 0)).toBeCloseTo(3, 12);
    expect(signedRobustZ(19, { median: 20, mad: 0, n: 100 }, 0.5)).toBe(-2);
  });
});
