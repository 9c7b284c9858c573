import {
  AnomalyDetector,
  BASELINE_FORMAT,
  detectorConfig,
  type AlertEvent,
  type BaselineModel,
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

function update(minute: number, value: number, final = true): WindowUpdate {
  const windowStart = T0 + minute * 60_000;
  return {
    deviceId: 'd1',
    metric: 'temp',
    windowStart,
    final,
    aggregate: aggregateOf([
      { ts: windowStart, value: value - 0.5 },
      { ts: windowStart + 1, value: value + 0.5 },
    ]),
  };
}

function sink(model: BaselineModel | undefined, publish: (e: readonly AlertEvent[]) => Promise<void>) {
  let scored = 0;
  const detector = new AnomalyDetector({ config: detectorConfig(), baseline: () => model });
  const score = detector.score.bind(detector);
  detector.score = (w) => {
    scored += w.length;
    return score(w);
  };
  return { s: new AnomalyScoringSink({ detector, baseline: () => model, publish }), scored: () => scored };
}

describe('AnomalyScoringSink', () => {
  it('does nothing at all while no baseline is loaded', async () => {
    const published: AlertEvent[] = [];
    const { s, scored } = sink(undefined, async (e) => void published.push(...e));
    await s.write([update(0, 20), update(1, 90)]);
    expect(scored()).toBe(0);
    expect(published).toEqual([]);
  });

  it('scores closed windows only and publishes the events they cause', async () => {
    const published: AlertEvent[] = [];
    const { s, scored } = sink(MODEL, async (e) => void published.push(...e));
    await s.write([update(0, 20), update(1, 90, false)]);
    expect(scored()).toBe(1);
    await s.write([update(1, 90)]);
    expect(published).toMatchObject([
      { id: `d1|temp|spike|${T0 + 60_000}`, state: 'open', baselineVersion: 'v9' },
    ]);
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
});
