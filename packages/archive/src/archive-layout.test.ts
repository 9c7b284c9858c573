import { archiveFileName, hourPartition, parseArchiveFileName, parseHourPartition } from './archive-layout';
import { planFlushEnds } from './flush-plan';
import { sealedThroughFor } from './hour-ledger';

describe('archive layout', () => {
  it('names hour partitions in UTC, zero-padded, and parses them back', () => {
    const ts = Date.UTC(2026, 0, 2, 3, 59, 59, 999);
    expect(hourPartition(ts)).toBe('date=2026-01-02/hour=03');
    expect(parseHourPartition('date=2026-01-02/hour=03')).toBe(Date.UTC(2026, 0, 2, 3));
    expect(parseHourPartition('date=2026-02-30/hour=03')).toBeUndefined();
    expect(parseHourPartition('date=2026-01-02/hour=24')).toBeUndefined();
  });

  it('round-trips file names and ignores temp and foreign files', () => {
    const f = { partition: 3, firstOffset: 1000, lastOffset: 1999 };
    expect(archiveFileName(f)).toBe('part-3-1000-1999.parquet');
    expect(parseArchiveFileName(archiveFileName(f))).toEqual(f);
    expect(parseArchiveFileName('.part-3-1000-1999.parquet.123-ab.tmp')).toBeUndefined();
    expect(parseArchiveFileName('part-3-2000-1999.parquet')).toBeUndefined();
    expect(parseArchiveFileName('compacted-1.parquet')).toBeUndefined();
  });
});

describe('planFlushEnds', () => {
  const file = (
    firstOffset: number,
    lastOffset: number,
  ): { partition: number; firstOffset: number; lastOffset: number } => ({
    partition: 0,
    firstOffset,
    lastOffset,
  });

  it('is empty when nothing was flushed past the commit', () => {
    expect(planFlushEnds(100, [file(0, 49), file(50, 99)])).toEqual([]);
  });

  it('repeats every uncommitted flush exactly, however many hour files each wrote', () => {
    expect(planFlushEnds(100, [file(100, 149), file(100, 149), file(150, 180), file(0, 99)])).toEqual([
      149, 180,
    ]);
  });

  it('ends a flush just before a file whose predecessor left no file (a range of refused records)', () => {
    expect(planFlushEnds(100, [file(120, 149)])).toEqual([119, 149]);
    expect(planFlushEnds(100, [file(100, 109), file(115, 120)])).toEqual([109, 114, 120]);
  });
});

describe('sealedThroughFor', () => {
  it('seals exactly the hours whose end the low watermark reached', () => {
    const h = Date.UTC(2026, 0, 1, 10);
    expect(sealedThroughFor(h)).toBe(h);
    expect(sealedThroughFor(h - 1)).toBe(h - 3_600_000);
    expect(sealedThroughFor(h + 3_599_999)).toBe(h);
  });
});
