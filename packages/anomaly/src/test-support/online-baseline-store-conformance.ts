// The behaviour every OnlineBaselineStore must show; run against each implementation.
import type { OnlineBaselineSnapshot } from '../online-baseline';
import type { OnlineBaselineStore } from '../online-baseline-store';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 1);

/** A snapshot of `n` windows ending at minute `last`, with non-integer means (they must survive exactly). */
function snapshot(n: number, last: number, level = 20): OnlineBaselineSnapshot {
  const times = Array.from({ length: n }, (_, i) => T0 + (last - n + 1 + i) * M);
  return { times, means: times.map((_, i) => level + i / 7) };
}

export function describeOnlineBaselineStoreConformance(
  name: string,
  factory: () => Promise<{ store: OnlineBaselineStore; cleanup: () => Promise<void> }>,
): void {
  describe(`OnlineBaselineStore conformance: ${name}`, () => {
    let store: OnlineBaselineStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => {
      await cleanup();
    });

    it('loads nothing before anything was saved', async () => {
      expect(await store.load()).toEqual(new Map());
    });

    it('loads every saved snapshot by series key, exactly', async () => {
      const a = snapshot(30, 40);
      const b = snapshot(3, 5, -1.25);
      await store.save({
        saved: [
          ['d1|temp', a],
          ['d2|hum', b],
        ],
        removed: [],
      });
      expect(await store.load()).toEqual(
        new Map([
          ['d1|temp', a],
          ['d2|hum', b],
        ]),
      );
    });

    it('a later save replaces a series’ snapshot and leaves the others alone', async () => {
      await store.save({
        saved: [
          ['d1|temp', snapshot(5, 10)],
          ['d2|temp', snapshot(5, 10, 7)],
        ],
        removed: [],
      });
      const newer = snapshot(6, 11);
      await store.save({ saved: [['d1|temp', newer]], removed: [] });
      expect(await store.load()).toEqual(
        new Map([
          ['d1|temp', newer],
          ['d2|temp', snapshot(5, 10, 7)],
        ]),
      );
    });

    it('keeps the newer snapshot: a late save from a consumer that lost the partition does not roll it back', async () => {
      const newer = snapshot(30, 50);
      await store.save({ saved: [['d1|temp', newer]], removed: [] });
      await store.save({
        saved: [
          ['d1|temp', snapshot(30, 45)],
          ['d2|temp', snapshot(3, 45)],
        ],
        removed: [],
      });
      // as new (same newest window) is not newer either: the stored one stays
      await store.save({ saved: [['d1|temp', snapshot(10, 50, 99)]], removed: [] });
      expect(await store.load()).toEqual(
        new Map([
          ['d1|temp', newer],
          ['d2|temp', snapshot(3, 45)],
        ]),
      );
    });

    it('removes the series a save names as removed, and removing one it does not hold is no error', async () => {
      await store.save({
        saved: [
          ['d1|temp', snapshot(5, 10)],
          ['d2|temp', snapshot(5, 10)],
        ],
        removed: [],
      });
      await store.save({ saved: [['d3|temp', snapshot(2, 10)]], removed: ['d1|temp', 'never|saved'] });
      expect([...(await store.load()).keys()].sort()).toEqual(['d2|temp', 'd3|temp']);
    });

    it('is idempotent: the same save repeated (a retry after an unknown outcome) leaves the same state', async () => {
      const changes = {
        saved: [['d1|temp', snapshot(5, 10)]] as Array<[string, OnlineBaselineSnapshot]>,
        removed: ['d2|temp'],
      };
      await store.save({ saved: [['d2|temp', snapshot(5, 10)]], removed: [] });
      await store.save(changes);
      const once = await store.load();
      await store.save(changes);
      expect(await store.load()).toEqual(once);
      expect([...once.keys()]).toEqual(['d1|temp']);
    });

    it('an empty save changes nothing', async () => {
      await store.save({ saved: [['d1|temp', snapshot(5, 10)]], removed: [] });
      await store.save({ saved: [], removed: [] });
      expect(await store.load()).toEqual(new Map([['d1|temp', snapshot(5, 10)]]));
    });

    it('keeps what was saved, not the caller’s later mutations of it', async () => {
      const s = snapshot(5, 10);
      await store.save({ saved: [['d1|temp', s]], removed: [] });
      s.times.push(T0 + 11 * M);
      s.means.push(99);
      const loaded = await store.load();
      expect(loaded.get('d1|temp')).toEqual(snapshot(5, 10));
      loaded.get('d1|temp')!.means[0] = -5;
      expect((await store.load()).get('d1|temp')).toEqual(snapshot(5, 10));
    });
  });
}
