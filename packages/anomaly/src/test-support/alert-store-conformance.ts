// The behaviour every AlertStore must show; run against each implementation.
import type { AlertEvent } from '../alert-event';
import type { AlertStore } from '../alert-store';

const M = 60_000;
const T0 = Date.UTC(2026, 2, 1);

function opened(deviceId: string, minute: number, kind: AlertEvent['kind'] = 'spike'): AlertEvent {
  const openedAt = T0 + minute * M;
  return {
    id: `${deviceId}|temp|${kind}|${openedAt}`,
    deviceId,
    metric: 'temp',
    kind,
    state: 'open',
    openedAt,
    windowStart: openedAt,
    score: 7.5,
    value: 31.25,
    baselineVersion: 'v1',
  };
}

function resolvedOf(e: AlertEvent, minute: number): AlertEvent {
  const windowStart = T0 + minute * M;
  return { ...e, state: 'resolved', windowStart, resolvedAt: windowStart + M };
}

export function describeAlertStoreConformance(
  name: string,
  factory: () => Promise<{ store: AlertStore; cleanup: () => Promise<void> }>,
): void {
  describe(`AlertStore conformance: ${name}`, () => {
    let store: AlertStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => {
      await cleanup();
    });
    const all = { from: T0, to: T0 + 1_000 * M, state: 'all' as const };

    it('stores an alert once however often the same event is written', async () => {
      const a = opened('d1', 1);
      await store.upsert([a]);
      await store.upsert([a, a]);
      expect(await store.query({ ...all, deviceId: 'd1' })).toEqual([a]);
    });

    it('keeps the latest state: resolved replaces open, and a replayed open never reopens it', async () => {
      const a = opened('d1', 1);
      const r = resolvedOf(a, 9);
      await store.upsert([a]);
      await store.upsert([r]);
      await store.upsert([a]);
      expect(await store.query({ ...all, deviceId: 'd1' })).toEqual([r]);
      expect(await store.query({ ...all, deviceId: 'd1', state: 'open' })).toEqual([]);
      expect(await store.query({ ...all, deviceId: 'd1', state: 'resolved' })).toEqual([r]);
    });

    it('filters by device, by opening time [from, to) and by state, ordered by opening time', async () => {
      const a = opened('d1', 5);
      const b = opened('d1', 2, 'stuck');
      const c = opened('d2', 3);
      const d = opened('d1', 20, 'gap');
      await store.upsert([a, b, c, d, resolvedOf(b, 6)]);
      expect((await store.query({ ...all, deviceId: 'd1' })).map((e) => e.id)).toEqual([b.id, a.id, d.id]);
      expect(
        (await store.query({ deviceId: 'd1', from: T0 + 2 * M, to: T0 + 20 * M, state: 'open' })).map(
          (e) => e.id,
        ),
      ).toEqual([a.id]);
      expect((await store.query({ ...all, deviceId: 'd2' })).map((e) => e.id)).toEqual([c.id]);
    });
  });
}
