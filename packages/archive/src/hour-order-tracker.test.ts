import { HourOrderTracker, ORDERED_SINCE_KEY, UNORDERED_SERIES_KEY } from './hour-order-tracker';

const H = 3_600_000 * 500_000;

describe('HourOrderTracker', () => {
  it('keeps an hour’s run from its first offset while every series moves forward in event time', () => {
    const order = new HourOrderTracker();
    order.observe(H, 'a', 'm', H + 1, 10);
    order.observe(H, 'b', 'm', H + 1, 11);
    order.observe(H, 'a', 'n', H + 1, 11);
    order.observe(H, 'a', 'm', H + 2, 12);
    expect(order.orderedSince(H)).toBe(10);
    expect(order.unorderedSeries(H)).toEqual([]);
    expect(order.claim(H)).toEqual({ [ORDERED_SINCE_KEY]: '10' });
    expect(order.orderedSince(H + 3_600_000)).toBeUndefined();
    expect(order.claim(H + 3_600_000)).toEqual({});
  });

  it.each([
    ['a duplicate', H + 2],
    ['an equal ts with another seq', H + 2],
    ['an out-of-order reading', H + 1],
  ])('lists the series of %s as unordered for the rest of the run, and only that series', (_what, ts) => {
    const order = new HourOrderTracker();
    order.observe(H, 'a', 'm', H + 1, 10);
    order.observe(H, 'b', 'm', H + 1, 10);
    order.observe(H, 'a', 'm', H + 2, 11);
    order.observe(H, 'a', 'm', ts, 12);
    expect(order.orderedSince(H)).toBe(10);
    expect(order.unorderedSeries(H)).toEqual([['a', 'm']]);
    // Moving forward again does not clear it: the run still holds the duplicate.
    order.observe(H, 'a', 'm', H + 3, 13);
    order.observe(H, 'b', 'm', H + 3, 13);
    expect(order.unorderedSeries(H)).toEqual([['a', 'm']]);
    expect(order.claim(H)).toEqual({
      [ORDERED_SINCE_KEY]: '10',
      [UNORDERED_SERIES_KEY]: JSON.stringify([['a', 'm']]),
    });
  });

  it('restarts the hour’s run past its limit of unordered series, after a record begun before', () => {
    const order = new HourOrderTracker(8, 1);
    order.observe(H, 'a', 'm', H + 5, 10);
    order.observe(H, 'a', 'm', H + 3, 10);
    expect(order.unorderedSeries(H)).toEqual([['a', 'm']]);
    order.observe(H, 'b', 'm', H + 5, 11);
    order.observe(H, 'b', 'm', H + 4, 11);
    expect(order.orderedSince(H)).toBe(12);
    expect(order.unorderedSeries(H)).toEqual([]);
    order.observe(H, 'c', 'm', H + 5, 12);
    order.observe(H, 'd', 'm', H + 5, 12);
    order.observe(H, 'c', 'm', H + 5, 13);
    expect(order.unorderedSeries(H)).toEqual([['c', 'm']]);
    order.observe(H, 'd', 'm', H + 5, 14);
    // Restarted at its own offset when it is the record's first reading of the hour.
    expect(order.orderedSince(H)).toBe(14);
    expect(order.unorderedSeries(H)).toEqual([]);
  });

  it('continues a predecessor’s run from its handover: readings above each series’ last ts keep the claim', () => {
    const order = new HourOrderTracker();
    order.resume({
      hour: H,
      since: 3,
      offset: 59,
      last: new Map([['a', new Map([['m', H + 40]])]]),
      unordered: [['c', 'm']],
    });
    order.observe(H, 'a', 'm', H + 41, 60);
    order.observe(H, 'b', 'm', H + 1, 60);
    expect(order.claim(H)).toEqual({
      [ORDERED_SINCE_KEY]: '3',
      [UNORDERED_SERIES_KEY]: JSON.stringify([['c', 'm']]),
    });
  });

  it('lists a resumed series whose first reading does not rise above its handed-over last ts', () => {
    const order = new HourOrderTracker();
    const last = new Map([['a', new Map([['m', H + 40]])]]);
    order.resume({ hour: H, since: 0, offset: 59, last, unordered: [] });
    order.observe(H, 'a', 'm', H + 40, 60);
    expect(order.orderedSince(H)).toBe(0);
    expect(order.unorderedSeries(H)).toEqual([['a', 'm']]);
  });

  it('ignores a handover for an hour it already follows, and keeps only its newest hours', () => {
    const order = new HourOrderTracker(2);
    order.observe(H, 'a', 'm', H + 1, 100);
    const handover = (hour: number) => ({ hour, since: 0, offset: 99, last: new Map(), unordered: [] });
    order.resume(handover(H));
    expect(order.orderedSince(H)).toBe(100);
    order.resume(handover(H - 3_600_000));
    order.resume(handover(H + 3_600_000));
    expect(order.orderedSince(H - 3_600_000)).toBeUndefined();
    expect(order.orderedSince(H + 3_600_000)).toBe(0);
  });

  it('tracks hours independently and forgets the oldest beyond its limit, between records only', () => {
    const order = new HourOrderTracker(2);
    order.observe(H, 'a', 'm', H + 5, 1);
    order.observe(H + 3_600_000, 'a', 'm', H + 3_600_000, 2);
    order.observe(H, 'a', 'm', H + 4, 3);
    order.observe(H + 7_200_000, 'a', 'm', H + 7_200_000, 4);
    expect(order.orderedSince(H)).toBe(1);
    expect(order.unorderedSeries(H)).toEqual([['a', 'm']]);
    order.observe(H + 10_800_000, 'a', 'm', H + 10_800_000, 5);
    expect(order.orderedSince(H)).toBeUndefined();
    // A late reading of the forgotten hour starts a run of its own, claiming nothing about earlier offsets.
    order.observe(H, 'a', 'm', H + 1, 6);
    expect(order.orderedSince(H)).toBe(6);
    expect(order.unorderedSeries(H)).toEqual([]);
    expect(order.orderedSince(H + 3_600_000)).toBeUndefined();
  });

  it('never leaves a series that repeated a key in its run off the list (random streams)', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let round = 0; round < 200; round++) {
      const order = new HourOrderTracker(8, 1 + Math.floor(rand() * 4));
      const seen: Array<{ key: string; offset: number }> = [];
      let offset = 0;
      for (let i = 0; i < 60; i++) {
        if (rand() < 0.4) offset++;
        const device = `d${Math.floor(rand() * 3)}`;
        const metric = `m${Math.floor(rand() * 2)}`;
        const ts = H + Math.floor(rand() * 40);
        order.observe(H, device, metric, ts, offset);
        seen.push({ key: `${device}|${metric}|${ts}`, offset });
      }
      const since = order.orderedSince(H) as number;
      const listed = new Set(order.unorderedSeries(H).map(([d, m]) => `${d}|${m}`));
      const keys = new Map<string, number>();
      for (const s of seen.filter((r) => r.offset >= since)) {
        const series = s.key.split('|').slice(0, 2).join('|');
        // A key twice in the claimed range must belong to a listed series.
        if (keys.has(s.key))
          expect({ round, series, listed: listed.has(series) }).toEqual({ round, series, listed: true });
        keys.set(s.key, s.offset);
      }
    }
  });
});
