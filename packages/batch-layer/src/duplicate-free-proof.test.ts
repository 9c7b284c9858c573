import { proveHour, provesNoDuplicates } from './duplicate-free-proof';

const file = (partition: number, first: number, last: number, since?: number) => ({
  path: `/a/readings/date=2026-01-01/hour=00/part-${partition}-${first}-${last}.parquet`,
  orderedSince: since,
});

describe('provesNoDuplicates', () => {
  it('holds when each partition’s latest file claims a run reaching back to its first file', () => {
    expect(provesNoDuplicates([file(0, 10, 19, 3), file(0, 20, 29, 3), file(1, 5, 9, 5)])).toBe(true);
    // Claims of earlier files do not matter, and gaps between ranges are readings of other hours.
    expect(provesNoDuplicates([file(0, 10, 19), file(0, 40, 49, 10)])).toBe(true);
    expect(provesNoDuplicates([])).toBe(true);
  });

  it('fails when the latest file of a partition has no claim or one starting after its first file', () => {
    expect(provesNoDuplicates([file(0, 10, 19, 10), file(0, 20, 29)])).toBe(false);
    expect(provesNoDuplicates([file(0, 10, 19, 10), file(0, 20, 29, 11)])).toBe(false);
    expect(provesNoDuplicates([file(0, 10, 19, 10), file(1, 20, 29, 21)])).toBe(false);
  });

  it('fails for overlapping ranges (a merged file beside its sources) and for names it does not know', () => {
    expect(provesNoDuplicates([file(0, 10, 29, 10), file(0, 20, 29, 10)])).toBe(false);
    expect(provesNoDuplicates([{ path: '/a/other.parquet', orderedSince: 0 }])).toBe(false);
  });
});

describe('proveHour', () => {
  const listed = (f: ReturnType<typeof file>, unordered: Array<[string, string]>) => ({ ...f, unordered });

  it('proves each partition up to its latest claim reaching back, with that claim’s unordered series', () => {
    const proof = proveHour([
      listed(file(0, 10, 19, 3), [['a', 'm']]),
      listed(file(0, 20, 29, 3), [
        ['a', 'm'],
        ['b', 'm'],
      ]),
      listed(file(1, 5, 9, 5), [['c', 'n']]),
      listed(file(2, 5, 9, 6), [['z', 'z']]),
      listed(file(2, 10, 19, 10), []),
    ]);
    expect(proof.unordered).toEqual([
      ['a', 'm'],
      ['b', 'm'],
      ['c', 'n'],
    ]);
    expect(proof.proven).toHaveLength(3);
    expect(proof.unproven.map((f) => f.split('/').pop())).toEqual([
      'part-2-5-9.parquet',
      'part-2-10-19.parquet',
    ]);
  });

  it('proves the files up to the last claim reaching back, and none after it (a re-send, a fresh run)', () => {
    const proof = proveHour([
      listed(file(0, 10, 19, 10), [['a', 'm']]),
      listed(file(0, 20, 29, 10), []),
      file(0, 30, 39),
      listed(file(0, 40, 49, 40), [['z', 'z']]),
    ]);
    expect(proof.proven.map((f) => f.split('/').pop())).toEqual([
      'part-0-10-19.parquet',
      'part-0-20-29.parquet',
    ]);
    expect(proof.unproven.map((f) => f.split('/').pop())).toEqual([
      'part-0-30-39.parquet',
      'part-0-40-49.parquet',
    ]);
    expect(proof.unordered).toEqual([]);
  });

  it('leaves files with unknown names or overlapping ranges unproven', () => {
    const proof = proveHour([
      { path: '/a/other.parquet', orderedSince: 0 },
      file(0, 10, 29, 10),
      file(0, 20, 29, 10),
    ]);
    expect(proof.proven).toEqual([]);
    expect(proof.unproven).toHaveLength(3);
    expect(provesNoDuplicates([listed(file(0, 10, 19, 3), [['a', 'm']])])).toBe(false);
  });
});
