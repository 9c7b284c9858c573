import {
  AnomalyDetector,
  BASELINE_FORMAT,
  detectorConfig,
  MemoryOnlineBaselineStore,
  ONLINE_BASELINE_VERSION,
  type AlertEvent,
  type BaselineModel,
  type DetectorConfig,
  type OnlineBaselineChanges,
  type OnlineBaselineStore,
  type ScoreAt,
} from '@lambda-iot/anomaly';
import { aggregateOf } from '@lambda-iot/core';
import type { WindowUpdate } from '@lambda-iot/speed-layer';
import { AnomalyScoringSink } from './anomaly-scoring-sink';

const T0 = Date.UTC(2026, 0, 5);
const stats = { median: 20, mad: 1, n: 500 };
const MODEL: BaselineModel = {
  format: BASELINE_FORMAT,
  version: 'v9',
  fittedAt: T0,
  from: T0 - 86_400_000,
  to: T0,
  params: { days: 1, minSamples: 30 },
  series: { 'd1|temp': { hours: Array.from({ length: 24 }, () => stats), overall: stats } },
  types: {},
  deviceTypes: {},
};

function update(minute: number, value: number, final = true, deviceId = 'd1'): WindowUpdate {
  const windowStart = T0 + minute * 60_000;
  return {
    deviceId,
    metric: 'temp',
    windowStart,
    final,
    aggregate: aggregateOf([
      { ts: windowStart, value: value - 0.5 },
      { ts: windowStart + 1, value: value + 0.5 },
    ]),
  };
}

/** A window of `fresh`, a device the batch baseline does not cover: it learns an online baseline. */
const fresh = (minute: number, value = 30) => update(minute, value, true, 'fresh');
const freshMean = (minute: number) => fresh(minute).aggregate.sum / fresh(minute).aggregate.count;

/** The window as first emitted complete: the watermark has passed its end, the lateness not yet. */
const complete = (minute: number, value: number, deviceId = 'd1'): WindowUpdate => ({
  ...update(minute, value, false, deviceId),
  complete: true,
});

function sink(
  model: BaselineModel | undefined,
  publish: (e: readonly AlertEvent[]) => Promise<void>,
  extra: {
    onlineStore?: OnlineBaselineStore;
    config?: Partial<DetectorConfig>;
    scoreAt?: ScoreAt;
    outOfOrdernessMs?: number;
  } = {},
) {
  let scored = 0;
  const detector = new AnomalyDetector({ config: detectorConfig(extra.config), baseline: () => model });
  const score = detector.score.bind(detector);
  detector.score = (w) => {
    scored += w.length;
    return score(w);
  };
  const s = new AnomalyScoringSink({
    detector,
    publish,
    ...(extra.onlineStore && { onlineStore: extra.onlineStore }),
    ...(extra.scoreAt && { scoreAt: extra.scoreAt }),
    ...(extra.outOfOrdernessMs !== undefined && { outOfOrdernessMs: extra.outOfOrdernessMs }),
  });
  return { s, detector, scored: () => scored };
}

/** A memory store whose saves fail while `failing` is set, recording what was attempted. */
class FlakyOnlineStore extends MemoryOnlineBaselineStore {
  failing = false;
  readonly attempts: OnlineBaselineChanges[] = [];

  override async save(changes: OnlineBaselineChanges): Promise<void> {
    this.attempts.push(changes);
    if (this.failing) throw new Error('redis down');
    await super.save(changes);
  }
}

const minutesOf = (times: readonly number[] | undefined) => times?.map((t) => (t - T0) / 60_000);

describe('AnomalyScoringSink', () => {
  it('before any baseline is loaded, raises what needs none (out_of_range, stuck, gap), never a spike or drift', async () => {
    const published: AlertEvent[] = [];
    const { s } = sink(undefined, async (e) => void published.push(...e), {
      config: { metrics: { temp: { min: -40, max: 80 } } },
    });
    await s.write([update(0, 20), update(1, 90)]);
    expect(published.map((e) => `${e.kind}:${e.state}`)).toEqual(['out_of_range:open']);
  });

  it('scores each window once, as soon as it is complete, never an early result; publishes the events it causes', async () => {
    const published: AlertEvent[] = [];
    const { s, scored } = sink(MODEL, async (e) => void published.push(...e));
    await s.write([complete(0, 20), update(1, 90, false)]);
    expect(scored()).toBe(1);
    await s.write([complete(1, 90), update(0, 20)]);
    expect(published).toMatchObject([
      { id: `d1|temp|spike|${T0 + 60_000}`, state: 'open', baselineVersion: 'v9' },
    ]);
    // Its final state (with any straggler) is not scored again.
    await s.write([update(1, 90)]);
    expect(published).toHaveLength(1);
  });

  it('with scoreAt final, leaves complete windows alone until they are final', async () => {
    const published: AlertEvent[] = [];
    const { s, scored } = sink(MODEL, async (e) => void published.push(...e), { scoreAt: 'final' });
    await s.write([complete(0, 20), complete(1, 90)]);
    expect(scored()).toBe(0);
    await s.write([update(0, 20), update(1, 90)]);
    expect(published).toMatchObject([{ id: `d1|temp|spike|${T0 + 60_000}`, state: 'open' }]);
  });

  it('judges a series silent in a minute as soon as that minute is complete, not when the next one is', async () => {
    const published: AlertEvent[] = [];
    const { s } = sink(MODEL, async (e) => void published.push(...e));
    await s.write([complete(0, 20), complete(0, 20, 'd2')]);
    // d1 says nothing in minute 1: its silence is known once minute 1 is complete
    await s.write([complete(1, 20, 'd2')]);
    expect(published).toMatchObject([{ id: `d1|temp|gap|${T0 + 60_000}`, state: 'open' }]);
  });

  it('judges silence on the watermark from the open windows (newest event time less the out-of-orderness)', async () => {
    const published: AlertEvent[] = [];
    const { s } = sink(MODEL, async (e) => void published.push(...e), { outOfOrdernessMs: 5_000 });
    await s.write([complete(0, 20), complete(0, 20, 'd2')]); // both last report at minute 0 + 1 ms
    const early = (seconds: number): WindowUpdate => ({
      ...update(1, 20, false),
      aggregate: aggregateOf([{ ts: T0 + 60_000 + seconds * 1000, value: 20 }]),
    });
    await s.write([early(5)]); // watermark 1 min + 0 s: d2 silent for 59.999 s
    expect(published).toEqual([]);
    await s.write([early(6)]); // watermark 1 min + 1 s
    expect(published).toMatchObject([{ id: `d2|temp|gap|${T0 + 60_000}`, state: 'open' }]);
  });

  it('keeps events whose publication failed and sends them first on the next write', async () => {
    const published: AlertEvent[] = [];
    let fail = true;
    const { s } = sink(MODEL, async (e) => {
      if (fail) throw new Error('kafka down');
      published.push(...e);
    });
    await s.write([update(0, 20)]);
    await expect(s.write([update(1, 90)])).rejects.toThrow('kafka down');
    fail = false;
    // the handler retries with the same windows: they are not scored again, the queued event goes out once
    await s.write([update(1, 90)]);
    await s.write([update(2, 90)]);
    expect(published.map((e) => `${e.kind}:${e.state}@${(e.windowStart - T0) / 60_000}`)).toEqual([
      'spike:open@1',
    ]);
  });

  describe('with an online-baseline store', () => {
    const ignore = async () => undefined;

    it('saves the online baselines of series without history that the closed windows taught', async () => {
      const store = new MemoryOnlineBaselineStore();
      const { s } = sink(MODEL, ignore, { onlineStore: store });
      await s.write([update(0, 20), fresh(0), update(1, 31, false, 'fresh')]);
      await s.write([update(1, 20), fresh(1), fresh(2)]);
      const saved = await store.load();
      // d1 is in the batch baseline: nothing of it is saved
      expect([...saved.keys()]).toEqual(['fresh|temp']);
      expect(saved.get('fresh|temp')).toEqual({
        times: [0, 1, 2].map((m) => T0 + m * 60_000),
        means: [0, 1, 2].map(freshMean),
      });
    });

    it('saves only after the alert events are published: a failed publication saves nothing and fails the write', async () => {
      const store = new FlakyOnlineStore();
      let fail = true;
      const { s } = sink(
        MODEL,
        async () => {
          if (fail) throw new Error('kafka down');
        },
        { onlineStore: store },
      );
      await s.write([update(0, 20), fresh(0)]);
      await expect(s.write([update(1, 90), fresh(1)])).rejects.toThrow('kafka down');
      expect(store.attempts.map((c) => c.saved.map(([key]) => key))).toEqual([['fresh|temp']]);
      fail = false;
      await s.write([update(1, 90), fresh(1)]);
      expect(minutesOf((await store.load()).get('fresh|temp')?.times)).toEqual([0, 1]);
    });

    it('a failed save fails the write; its changes are saved with the next write’s', async () => {
      const store = new FlakyOnlineStore();
      const { s } = sink(MODEL, ignore, { onlineStore: store });
      store.failing = true;
      await expect(s.write([fresh(0)])).rejects.toThrow('redis down');
      // the handler retries the same windows: they are not learned again, the kept changes are saved again
      await expect(s.write([fresh(0)])).rejects.toThrow('redis down');
      expect(store.attempts.map((c) => minutesOf(c.saved[0]?.[1].times))).toEqual([[0], [0]]);
      expect(await store.load()).toEqual(new Map());
      store.failing = false;
      await s.write([fresh(0), fresh(1)]);
      expect(minutesOf((await store.load()).get('fresh|temp')?.times)).toEqual([0, 1]);
      // and nothing is left pending: a write with nothing new saves nothing
      const attempts = store.attempts.length;
      await s.write([fresh(1)]);
      expect(store.attempts).toHaveLength(attempts);
    });

    it('removes the entry of a series once the batch baseline covers it', async () => {
      const store = new MemoryOnlineBaselineStore();
      let model: BaselineModel = MODEL;
      const detector = new AnomalyDetector({ config: detectorConfig(), baseline: () => model });
      const s = new AnomalyScoringSink({
        detector,
        publish: ignore,
        onlineStore: store,
      });
      await s.write([fresh(0), fresh(1)]);
      expect([...(await store.load()).keys()]).toEqual(['fresh|temp']);
      model = {
        ...MODEL,
        version: 'v10',
        series: { ...MODEL.series, 'fresh|temp': MODEL.series['d1|temp']! },
      };
      await s.write([fresh(2)]);
      expect(await store.load()).toEqual(new Map());
    });

    it('a detector restored from what it saved scores the next window against the online baseline at once', async () => {
      const store = new MemoryOnlineBaselineStore();
      const config = { onlineMinWindows: 12, onlineMaxWindows: 20, driftWindows: 1 };
      const first = sink(MODEL, ignore, { onlineStore: store, config });
      for (let m = 0; m < 14; m++) await first.s.write([fresh(m, 30 + (m % 3) * 0.1)]);
      // the restart: a new detector, restored from the store
      const published: AlertEvent[] = [];
      const second = sink(MODEL, async (e) => void published.push(...e), { onlineStore: store, config });
      second.detector.restoreOnline(await store.load());
      await second.s.write([fresh(14, 40)]);
      expect(published).toMatchObject([
        { deviceId: 'fresh', kind: 'drift', state: 'open', baselineVersion: ONLINE_BASELINE_VERSION },
      ]);
    });
  });
});
