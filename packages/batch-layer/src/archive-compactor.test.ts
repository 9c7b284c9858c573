import { planCompaction, type HourFile } from './archive-compactor';

const f = (partition: number, firstOffset: number, lastOffset: number): HourFile => ({
  partition,
  firstOffset,
  lastOffset,
  name: `part-${partition}-${firstOffset}-${lastOffset}.parquet`,
});

describe('planCompaction', () => {
  it('merges each partition’s committed files into one named by the run’s range, leaving uncommitted ones', () => {
    const plan = planCompaction(
      [f(0, 0, 9), f(0, 10, 19), f(0, 40, 49), f(0, 50, 59), f(1, 0, 99), f(1, 100, 199)],
      new Map([
        [0, 50],
        [1, 100],
      ]),
    );
    expect(plan.merges).toEqual([
      {
        target: { partition: 0, firstOffset: 0, lastOffset: 49 },
        sources: [f(0, 0, 9), f(0, 10, 19), f(0, 40, 49)],
      },
    ]);
    expect(plan.redundant).toEqual([]);
  });

  it('leaves partitions without a committed offset alone, and a lone file as it is', () => {
    expect(planCompaction([f(0, 0, 9), f(0, 10, 19)], new Map())).toEqual({ merges: [], redundant: [] });
    expect(planCompaction([f(0, 0, 9)], new Map([[0, 100]]))).toEqual({ merges: [], redundant: [] });
  });

  it('deletes sources a crashed compaction left inside its merged file, and merges the rest', () => {
    const plan = planCompaction([f(0, 0, 49), f(0, 0, 9), f(0, 10, 19), f(0, 50, 59)], new Map([[0, 60]]));
    expect(plan.redundant).toEqual([f(0, 0, 9), f(0, 10, 19)]);
    expect(plan.merges).toEqual([
      { target: { partition: 0, firstOffset: 0, lastOffset: 59 }, sources: [f(0, 0, 49), f(0, 50, 59)] },
    ]);
  });
});
