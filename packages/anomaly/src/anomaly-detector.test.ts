import { aggregateOf, type Aggregate } from '@lambda-iot/core';
import { AnomalyDetector, ONLINE_BASELINE_VERSION, type ClosedWindow } from './anomaly-detector';
import type { AlertEvent } from './alert-event';
import { BASELINE_FORMAT, type BaselineModel } from './baseline-model';
import { detectorConfig, type DetectorConfig } from './detector-config';

const M = 60_000;
const T0 = Date.UTC(2026, 0, 10);

/** Every hour: median 20, MAD 1 (robust sigma 1.4826) for d1 and d2. */
function model(version = 'v1'): BaselineModel {
  const stats = { median: 20, mad: 1, n: 1000 };
  const seasonal = { hours: Array.from({ length: 24 }, () => stats), overall: stats };
  return {
    format: BASELINE_FORMAT,
    version,
    fittedAt: T0,
    from: T0 - 7 * 86_400_000,
    to: T0,
    params: { days: 7, minSamples: 30 },
    series: { 'd1|temp': seasonal, 'd2|temp': seasonal },
    types: {},
    deviceTypes: {},
  };
}

const SIGMA = 1.4826;

/** A window of readings `values`, spread over the minute. */
function win(deviceId: string, minute: number, values: number[], metric = 'temp'): ClosedWindow {
  const windowStart = T0 + minute * M;
  const aggregate: Aggregate = aggregateOf(values.map((v, i) => ({ ts: windowStart + i * 1000, value: v })));
  return { deviceId, metric, windowStart, aggregate };
}

/** A window of readings `values` 20 s apart from the minute's start (+0, +20, +40 s). */
function spread(deviceId: string, minute: number, values: number[]): ClosedWindow {
  const windowStart = T0 + minute * M;
  const aggregate = aggregateOf(values.map((v, i) => ({ ts: windowStart + i * 20_000, value: v })));
  return { deviceId, metric: 'temp', windowStart, aggregate };
}

/** A normal window (mean 20, some variance). */
const normal = (deviceId: string, minute: number) => win(deviceId, minute, [19.5, 20.5, 20]);
/** A window whose mean sits `z` robust sigmas above the median. */
const at = (deviceId: string, minute: number, z: number) => {
  const m = 20 + z * SIGMA;
  return win(deviceId, minute, [m - 0.1, m + 0.1, m]);
};

function detector(config: Partial<DetectorConfig> = {}, baseline: BaselineModel | null = model()) {
  let current: BaselineModel | undefined = baseline ?? undefined;
  const d = new AnomalyDetector({ config: detectorConfig(config), baseline: () => current });
  return { d, setModel: (m: BaselineModel | undefined) => (current = m) };
}

/** Feeds minutes one closed window at a time (each device in `devices` every minute unless given). */
function run(d: AnomalyDetector, windows: ClosedWindow[]): AlertEvent[] {
  return windows.flatMap((w) => d.score([w]));
}

const summary = (events: AlertEvent[]) =>
  events.map((e) => `${e.kind}:${e.state}@${(e.windowStart - T0) / M}`);

describe('AnomalyDetector', () => {
  it('raises nothing for normal windows', () => {
    const { d } = detector();
    expect(
      run(
        d,
        Array.from({ length: 30 }, (_, i) => normal('d1', i)),
      ),
    ).toEqual([]);
  });

  it('spike: an abrupt mean ≥ 6 robust sigmas away opens at that window, persists while still deviating, resolves after R clean windows', () => {
    const { d } = detector({ resolveWindows: 3 });
    const events = run(d, [
      normal('d1', 0),
      at('d1', 1, 7),
      at('d1', 2, 12),
      at('d1', 3, 4), // still moderately off: the spike persists
      normal('d1', 4),
      normal('d1', 5),
      normal('d1', 6),
      normal('d1', 7),
    ]);
    expect(summary(events)).toEqual(['spike:open@1', 'spike:resolved@6']);
    expect(events[0]).toMatchObject({
      id: `d1|temp|spike|${T0 + M}`,
      openedAt: T0 + M,
      baselineVersion: 'v1',
      value: expect.closeTo(20 + 7 * SIGMA, 9),
      score: expect.closeTo(7, 9),
    });
    expect(events[1]).toMatchObject({ id: events[0]!.id, resolvedAt: T0 + 7 * M });
  });

  it('spike threshold is configurable; just below it nothing opens', () => {
    expect(run(detector().d, [normal('d1', 0), at('d1', 1, 5.9)])).toEqual([]);
    expect(summary(run(detector({ spikeThreshold: 5 }).d, [normal('d1', 0), at('d1', 1, 5.5)]))).toEqual([
      'spike:open@1',
    ]);
  });

  it('drift: a moderate deviation (≥ 3 sigmas) for K consecutive windows opens a drift, not a spike, even when it grows past 6', () => {
    // The windows-in-a-row rule alone (the CUSUM, specified below, would open this one at minute 5).
    const { d } = detector({ driftWindows: 5, resolveWindows: 2, driftCusumThreshold: Infinity });
    const zs = [0, 1, 2, 3, 3.5, 4, 5, 6.5, 8, 8, 8];
    const events = run(d, [...zs.map((z, i) => at('d1', i, z)), normal('d1', 11), normal('d1', 12)]);
    // windows 3..7 are the fifth consecutive moderate one at minute 7
    expect(summary(events)).toEqual(['drift:open@7', 'drift:resolved@12']);
  });

  it('drift needs K windows in a row: an interruption restarts the count', () => {
    // The windows-in-a-row rule alone: for the CUSUM one normal window only drains its slack.
    const { d } = detector({ driftWindows: 3, driftCusumThreshold: Infinity });
    expect(run(d, [at('d1', 0, 4), at('d1', 1, 4), normal('d1', 2), at('d1', 3, 4), at('d1', 4, 4)])).toEqual(
      [],
    );
    expect(summary(d.score([at('d1', 5, 4)]))).toEqual(['drift:open@5']);
  });

  it('a spike starting mid-minute still opens as a spike: the partial window deviates moderately, then z jumps', () => {
    const { d } = detector();
    expect(summary(run(d, [normal('d1', 0), at('d1', 1, 4), at('d1', 2, 15)]))).toEqual(['spike:open@2']);
  });

  it('a spike may take two windows to show (a partial one first), not three', () => {
    const rise = (zs: number[]) =>
      summary(
        run(
          detector().d,
          zs.map((z, i) => at('d1', i, z)),
        ),
      );
    expect(rise([0, 2.9, 5, 15])).toEqual(['spike:open@3']);
    // Three windows of rise are no spike; with the default three drift windows they are a drift.
    expect(rise([0, 3.5, 5, 15])).toEqual(['drift:open@3']);
  });

  it('while a drift is open, a jump does not open a spike on top of it', () => {
    const { d } = detector({ driftWindows: 2 });
    const zs = [0, 3.5, 4, 1, 1, 12]; // still open at 5: only 2 of 3 clean windows
    expect(
      summary(
        run(
          d,
          zs.map((z, i) => at('d1', i, z)),
        ),
      ),
    ).toEqual(['drift:open@2']);
  });

  it('a deviation that grows gradually past the spike threshold is not a spike but a drift', () => {
    const { d } = detector({ driftWindows: 50 });
    // The CUSUM (z − 1.5, z capped at 4) sums 0.5, 3, 5.5: a drift at minute 3, before z passes 6.
    expect(
      summary(
        run(
          d,
          [0, 2, 4, 5.5, 7, 8.5, 10].map((z, i) => at('d1', i, z)),
        ),
      ),
    ).toEqual(['drift:open@3']);
  });

  describe('drift CUSUM (slack 1.5, threshold 5, |z| capped at 4)', () => {
    // z a little past round values, so that floating point does not decide which window reaches the threshold.
    const ramp = [0, 0, 1, 2, 2.5, 3.05, 3.6, 4, 4.5, 5];

    it('opens a ramp’s drift one window after it reaches 3 sigmas, where three windows in a row need two', () => {
      // z − 1.5 sums 0.5, 1.5, 3.05 (minute 5, the first past 3 sigmas), 5.15 (minute 6).
      expect(
        summary(
          run(
            detector().d,
            ramp.map((z, i) => at('d1', i, z)),
          ),
        ),
      ).toEqual(['drift:open@6']);
      const countOnly = detector({ driftCusumThreshold: Infinity }).d;
      expect(
        summary(
          run(
            countOnly,
            ramp.map((z, i) => at('d1', i, z)),
          ),
        ),
      ).toEqual(['drift:open@7']);
    });

    it('opens a downward drift the same way', () => {
      const events = run(
        detector().d,
        ramp.map((z, i) => at('d1', i, -z)),
      );
      expect(summary(events)).toEqual(['drift:open@6']);
      expect(events[0]).toMatchObject({
        score: expect.closeTo(3.6, 9),
        value: expect.closeTo(20 - 3.6 * SIGMA, 9),
      });
    });

    it('opens a sustained deviation under 3 sigmas, which three windows in a row never would', () => {
      // 2.6 sigmas adds 1.1 a window: 5.5 at the fifth.
      const events = run(
        detector().d,
        [0, 1, 2, 3, 4, 5].map((m) => at('d1', m, 2.6)),
      );
      expect(summary(events)).toEqual(['drift:open@4']);
    });

    it('starts over after a missing window', () => {
      const { d } = detector();
      // 4.4 by minute 3; minute 4 is missing (a gap); from minute 5 it sums anew: 5.5 at minute 9, not 5.
      const windows = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10].map((m) => at('d1', m, 2.6));
      expect(summary(run(d, windows))).toEqual(['gap:open@4', 'gap:resolved@7', 'drift:open@9']);
    });

    it('starts over when a new baseline version is scored against', () => {
      const { d, setModel } = detector();
      expect(
        run(
          d,
          [0, 1, 2, 3].map((m) => at('d1', m, 2.6)),
        ),
      ).toEqual([]);
      setModel(model('v2'));
      const events = run(
        d,
        [4, 5, 6, 7, 8].map((m) => at('d1', m, 2.6)),
      );
      expect(summary(events)).toEqual(['drift:open@8']);
      expect(events[0]).toMatchObject({ baselineVersion: 'v2' });
    });

    it('starts over once a drift has resolved', () => {
      const { d } = detector({ resolveWindows: 2 });
      const zs = [2.6, 2.6, 2.6, 2.6, 2.6, 0, 0, 2.6, 2.6, 2.6, 2.6, 2.6];
      // Open at 4, resolved by the clean minutes 5 and 6; then five more windows of 2.6 before it reopens.
      expect(
        summary(
          run(
            d,
            zs.map((z, i) => at('d1', i, z)),
          ),
        ),
      ).toEqual(['drift:open@4', 'drift:resolved@6', 'drift:open@11']);
    });

    it('does not take a spike’s partial first window for a drift', () => {
      // The partial window adds min(5.5, 4) − 1.5 = 2.5; the next one is the spike.
      expect(summary(run(detector().d, [normal('d1', 0), at('d1', 1, 5.5), at('d1', 2, 15)]))).toEqual([
        'spike:open@2',
      ]);
    });
  });

  it('against a device-type baseline (a device without history) spikes are scored but a steady offset is no drift', () => {
    const pooled = model();
    pooled.deviceTypes = { fresh: 'pump' };
    pooled.types = { 'pump|temp': pooled.series['d1|temp']! };
    const { d } = detector({ driftWindows: 3 }, pooled);
    expect(
      run(
        d,
        [0, 1, 2, 3, 4, 5].map((m) => at('fresh', m, 4)),
      ),
    ).toEqual([]);
    expect(summary(run(d, [normal('fresh', 6), at('fresh', 7, 12)]))).toEqual(['spike:open@7']);
    // the same offset against the device's own history is a drift (by the CUSUM on its second window: 2.5 each)
    const own = detector({ driftWindows: 3 }, pooled).d;
    expect(
      summary(
        run(
          own,
          [0, 1, 2].map((m) => at('d1', m, 4)),
        ),
      ),
    ).toEqual(['drift:open@1']);
  });

  it('a ramp steep enough to cross both thresholds within two windows is a drift, not a spike: its readings do not jump', () => {
    // Readings with a spread of ±0.3 around a mean climbing 3 robust sigmas (4.4) a minute, from a noisy normal.
    const noisy = (minute: number, mean: number) =>
      win(
        'd1',
        minute,
        [-0.3, 0.3, -0.15, 0.15, 0, 0].map((n) => mean + n * 10),
      );
    const { d } = detector({ driftWindows: 3 });
    const means = [20, 20, 20, 20 + 3 * SIGMA, 20 + 6.5 * SIGMA, 20 + 9 * SIGMA, 20 + 9 * SIGMA];
    expect(
      summary(
        run(
          d,
          means.map((m, i) => noisy(i, m)),
        ),
      ),
    ).toEqual(['drift:open@5']);
    // The same z path as a step between two readings is a spike.
    const step = detector({ driftWindows: 3 }).d;
    const jump = [...means.slice(0, 3).map((m, i) => noisy(i, m)), win('d1', 3, [20, 20, 20, 40, 40, 40])];
    expect(summary(run(step, jump))).toEqual(['spike:open@3']);
  });

  it('a stuck sensor is judged as stuck only: its frozen value drifting away from the baseline is no drift', () => {
    const { d } = detector({ driftWindows: 3, stuckMinutes: 3 });
    const frozen = (m: number) => spread('d1', m, [20 + 4 * SIGMA, 20 + 4 * SIGMA, 20 + 4 * SIGMA]);
    // frozen from minute 1's first reading (+0 s): 3 minutes of it at minute 4's first reading
    expect(summary(run(d, [normal('d1', 0), ...[1, 2, 3, 4, 5].map(frozen)]))).toEqual(['stuck:open@4']);
  });

  it('driftScaleFloor: drift is judged on the trimmed mean against that floor, so a knock per window neither hides nor fakes one', () => {
    const vib = { median: 0.24, mad: 0.01, n: 1000 };
    const withVib = model();
    withVib.series['d1|vib'] = { hours: Array.from({ length: 24 }, () => vib), overall: vib };
    const rule = { scaleFloor: 1, driftScaleFloor: 0.1 };
    const knocked = (m: number, offset: number) =>
      win(
        'd1',
        m,
        [0.23, 0.25, 7.5, 0.24, 0.23, 0.25].map((v, i) => (i === 2 ? v : v + offset)),
        'vib',
      );
    const windows = [0, 1, 2, 3].map((m) => knocked(m, 0)).concat([4, 5, 6].map((m) => knocked(m, 0.5)));
    const trimmed = new AnomalyDetector({
      config: detectorConfig({ metrics: { vib: rule } }),
      baseline: () => withVib,
    });
    // +0.5 mm/s is 5 floors: the CUSUM (4 − 1.5 a window) opens it in its second window; the knocks do nothing.
    expect(summary(run(trimmed, windows))).toEqual(['drift:open@5']);
    // On the plain mean against the spike floor of 1 mm/s the same drift is half a floor: nothing.
    const plain = new AnomalyDetector({
      config: detectorConfig({ metrics: { vib: { scaleFloor: 1 } } }),
      baseline: () => withVib,
    });
    expect(run(plain, windows)).toEqual([]);
  });

  it('a device without history learns its own level online and drifts are scored against it', () => {
    const pooled = model();
    pooled.deviceTypes = { fresh: 'pump' };
    pooled.types = { 'pump|temp': pooled.series['d1|temp']! };
    const { d } = detector(
      { driftWindows: 3, resolveWindows: 2, onlineMinWindows: 12, onlineMaxWindows: 20 },
      pooled,
    );
    // Its own level sits 5 pool sigmas off, which is no anomaly, and it learns that level over 12 windows.
    const level = 20 + 5 * SIGMA;
    const wobble = [0.1, -0.05, 0.02, -0.1, 0.07, 0, -0.03, 0.1, -0.08, 0.04];
    const own = (m: number, offset = 0) => {
      const mean = level + offset + wobble[m % wobble.length]!;
      return win('fresh', m, [mean - 0.2, mean + 0.2]);
    };
    const learning = Array.from({ length: 14 }, (_, m) => own(m));
    expect(run(d, learning)).toEqual([]);
    // Then it ramps 2 units off its own level: a drift against its online baseline.
    const ramp = [0.5, 1, 1.5, 2, 2, 2].map((offset, i) => own(14 + i, offset));
    const events = run(d, ramp);
    expect(summary(events)).toEqual(['drift:open@16']);
    expect(events[0]).toMatchObject({ baselineVersion: ONLINE_BASELINE_VERSION });
    // It did not learn the drifted windows: back at its level the drift resolves.
    expect(summary(run(d, [own(20), own(21)]))).toEqual(['drift:resolved@21']);
  });

  it('a drift outlasting the online baseline’s memory is left unjudged while it relearns, then resolves; it never stays open for good', () => {
    const pooled = model();
    pooled.deviceTypes = { fresh: 'pump' };
    pooled.types = { 'pump|temp': pooled.series['d1|temp']! };
    const config = {
      driftWindows: 2,
      resolveWindows: 2,
      onlineMinWindows: 6,
      onlineMaxWindows: 10,
      onlineMaxAgeMinutes: 5,
    };
    const { d } = detector(config, pooled);
    const wobble = [0.1, -0.05, 0.02, -0.1, 0.07, 0];
    const at = (m: number, offset: number) => {
      const mean = 30 + offset + wobble[m % wobble.length]!;
      return win('fresh', m, [mean - 0.2, mean + 0.2]);
    };
    const ramp = (m: number) => Math.min(3, Math.max(0, (m - 8) * 0.6));
    // Learns 8 windows, ramps 3 units off from minute 9 and holds there for 20 minutes (past the 5-minute memory).
    const events = run(
      d,
      Array.from({ length: 30 }, (_, m) => at(m, ramp(m))),
    );
    // Last learned window 8; at 14 the memory is stale and relearning starts (the drift unjudged), ready at 20
    // with the held level as normal: clean at 20 and 21.
    expect(summary(events)).toEqual(['drift:open@10', 'drift:resolved@21']);
  });

  it('a long spike does not also become a drift', () => {
    const { d } = detector({ driftWindows: 3 });
    const events = run(d, [normal('d1', 0), ...[1, 2, 3, 4, 5, 6].map((m) => at('d1', m, 9))]);
    expect(summary(events)).toEqual(['spike:open@1']);
  });

  it('stuck: identical readings for M minutes, counted across windows from the last reading that differed', () => {
    const { d } = detector({ stuckMinutes: 2, resolveWindows: 1 });
    const events = run(d, [
      spread('d1', 0, [19, 21, 20]), // the run starts at minute 0's last reading (+40 s)
      spread('d1', 1, [20, 20, 20]),
      spread('d1', 2, [20]), // a lone reading continues it: 1 min 20 s
      spread('d1', 3, [20, 20, 20]), // 3 min by its last reading
      spread('d1', 4, [20, 21, 20]),
      spread('d1', 5, [20, 20, 20]),
    ]);
    expect(summary(events)).toEqual(['stuck:open@3', 'stuck:resolved@4']);
    expect(events[0]).toMatchObject({ value: 20, baselineVersion: '' });
    expect(events[0]!.score).toBe(3);
  });

  it('stuck: a repeated value in windows that are not consecutive is no run', () => {
    const { d } = detector({ stuckMinutes: 1, gapMinutes: 5 });
    expect(run(d, [spread('d1', 0, [20, 20, 20]), spread('d1', 2, [20, 20, 20])])).toEqual([]);
  });

  it('watch: raises stuck from the open window as soon as the run is long enough, leaving resolution to complete windows', () => {
    const { d } = detector({ stuckMinutes: 1, resolveWindows: 1 });
    expect(d.score([spread('d1', 0, [19, 21, 20])])).toEqual([]); // run from +40 s
    expect(d.watch([spread('d1', 1, [20, 20])], T0 + 80_000)).toEqual([]); // 40 s so far
    const opened = d.watch([spread('d1', 1, [20, 20, 20])], T0 + 100_000); // +1 min 40 s: 60 s
    expect(summary(opened)).toEqual(['stuck:open@1']);
    // The complete window holds it; the next one that moves resolves it, though the open windows ran ahead of
    // both (a minute's first readings arrive before the one before it completes).
    expect(d.watch([spread('d1', 2, [20, 22])], T0 + 125_000)).toEqual([]);
    expect(d.score([spread('d1', 1, [20, 20, 20])])).toEqual([]);
    expect(d.watch([spread('d1', 3, [21])], T0 + 185_000)).toEqual([]);
    expect(summary(d.score([spread('d1', 2, [20, 22, 21])]))).toEqual(['stuck:resolved@2']);
  });

  it('watch: raises a gap once the watermark is gapMinutes past the newest reading, dated from the next window', () => {
    const { d } = detector({ gapMinutes: 1 });
    d.score([spread('d1', 0, [20, 21, 20]), spread('d2', 0, [20, 21, 20])]);
    // d1 reports at +70 s in the open minute 1, d2 does not: d2's newest reading is +40 s
    expect(d.watch([spread('d1', 1, [20])], T0 + 100_000)).toEqual([]);
    const gap = d.watch([spread('d1', 1, [20, 21])], T0 + 100_001);
    expect(summary(gap)).toEqual(['gap:open@1']);
    expect(gap[0]).toMatchObject({ deviceId: 'd2', id: `d2|temp|gap|${T0 + M}` });
    // Minute 1 completing without d2 changes nothing; d2's return clears it once its windows are clean.
    expect(d.completeThrough(T0 + M)).toEqual([]);
  });

  it('out_of_range: a reading outside the physical bounds, whatever the baseline (also without one)', () => {
    const { d } = detector({ metrics: { temp: { min: -40, max: 80 } }, resolveWindows: 1 }, null);
    const events = run(d, [
      normal('d1', 0),
      win('d1', 1, [20, 85, 21]),
      win('d1', 2, [-41, 20]),
      normal('d1', 3),
    ]);
    expect(summary(events)).toEqual(['out_of_range:open@1', 'out_of_range:resolved@3']);
    expect(events[0]).toMatchObject({ value: 85, score: 85 });
  });

  it('gap: a series silent for G minutes of partition event time opens a gap at its first missing window; its return resolves it', () => {
    const { d } = detector({ gapMinutes: 5, resolveWindows: 2 });
    const windows: ClosedWindow[] = [];
    for (let m = 0; m < 20; m++) {
      windows.push(normal('d2', m));
      if (m < 3 || m >= 12) windows.push(normal('d1', m));
    }
    const events = run(d, windows);
    // d1's newest reading is at minute 2 + 2 s; minute 3 is the first missing; the clock reaches 8 (5 min 58 s on)
    expect(summary(events)).toEqual(['gap:open@3', 'gap:resolved@13']);
    expect(events[0]).toMatchObject({
      deviceId: 'd1',
      score: (6 * M - 2_000) / M,
      id: `d1|temp|gap|${T0 + 3 * M}`,
    });
  });

  it('watch: a series first seen in open windows (a new device, a replay after a restart) is silent only since its newest reading there', () => {
    const { d } = detector({ gapMinutes: 1 });
    // d1 reports at minute 0 (+0, +20, +40 s) and minute 1 (+0, +20, +40 s) before either minute is scored.
    expect(d.watch([spread('d1', 0, [20, 21, 20]), spread('d1', 1, [20, 21, 20])], T0 + M + 45_000)).toEqual(
      [],
    );
    // Minute 0 completes; the clock moves to 1 min 50 s: 70 s after d1's minute-0 reading, 10 s after its newest.
    d.score([spread('d1', 0, [20, 21, 20])]);
    expect(d.watch([], T0 + M + 50_000)).toEqual([]);
  });

  it('gap: told that a minute is complete, judges a series silent in it at once instead of at the next minute', () => {
    const { d } = detector({ gapMinutes: 1 });
    expect(d.score([normal('d1', 0), normal('d2', 0)])).toEqual([]);
    expect(d.completeThrough(T0)).toEqual([]);
    expect(d.score([normal('d2', 1)])).toEqual([]);
    expect(summary(d.completeThrough(T0 + M))).toEqual(['gap:open@1']);
    // Telling it again, or scoring the next minute, opens nothing more.
    expect(d.completeThrough(T0 + M)).toEqual([]);
    expect(d.score([normal('d2', 2)])).toEqual([]);
  });

  it('gap needs the partition clock to advance: with nothing else closing, silence is not a gap', () => {
    const { d } = detector({ gapMinutes: 2 });
    expect(run(d, [normal('d1', 0), normal('d1', 1)])).toEqual([]);
  });

  it('gives the same events however the closed windows are batched, and ignores redelivered windows', () => {
    const windows: ClosedWindow[] = [];
    for (let m = 0; m < 30; m++) {
      windows.push(m >= 10 && m < 13 ? at('d2', m, 10) : normal('d2', m));
      if (m < 5 || m > 15) windows.push(normal('d1', m));
    }
    const one = run(detector().d, windows);
    const batched = detector().d;
    const all: AlertEvent[] = [];
    for (let i = 0; i < windows.length; i += 7) {
      const batch = windows.slice(i, i + 7).reverse();
      all.push(...batched.score(batch), ...batched.score(batch)); // the same batch twice
    }
    expect(all).toEqual(one);
    expect(summary(one)).toEqual(['gap:open@5', 'spike:open@10', 'spike:resolved@15', 'gap:resolved@18']);
  });

  it('without a baseline, spike and drift are not scored; a new baseline applies from the next batch, with its version', () => {
    const { d, setModel } = detector({}, null);
    expect(run(d, [normal('d1', 0), at('d1', 1, 20)])).toEqual([]);
    setModel(model('v2'));
    expect(d.score([normal('d1', 2)])).toEqual([]);
    expect(d.score([at('d1', 3, 20)])).toMatchObject([{ kind: 'spike', baselineVersion: 'v2' }]);
  });

  it('metrics marked baseline:false (counters) are never scored against the baseline', () => {
    const { d } = detector({ metrics: { temp: { baseline: false } } });
    expect(run(d, [normal('d1', 0), at('d1', 1, 50)])).toEqual([]);
  });

  it('scale floor: deviations smaller than the sensor resolution are not anomalies even on a flat history', () => {
    const flat = model();
    const stats = { median: 20, mad: 0, n: 1000 };
    flat.series['d1|temp'] = { hours: Array.from({ length: 24 }, () => stats), overall: stats };
    const quiet = win('d1', 0, [20, 20.01, 19.99]);
    expect(
      run(detector({ metrics: { temp: { scaleFloor: 0.5 } } }, flat).d, [quiet, win('d1', 1, [22, 22.2])]),
    ).toEqual([]);
    expect(summary(run(detector({}, flat).d, [quiet, win('d1', 1, [22, 22.2])]))).toEqual(['spike:open@1']);
  });

  it('restored open alerts keep their ids after a restart', () => {
    const first = detector();
    const [opened] = first.d.score([normal('d1', 0), at('d1', 1, 9)]);
    const second = detector();
    second.d.restore([opened!]);
    expect(second.d.score([at('d1', 2, 9)])).toEqual([]);
    expect(second.d.openAlerts()).toEqual([opened]);
  });

  describe('persisted online baselines', () => {
    /** `fresh` is not in the batch fit: scored against the pump pool, so it learns an online baseline. */
    const pooledModel = (covered: string[] = []) => {
      const m = model();
      m.deviceTypes = { fresh: 'pump' };
      m.types = { 'pump|temp': m.series['d1|temp']! };
      for (const key of covered) m.series[key] = m.series['d1|temp']!;
      return m;
    };
    const config = { driftWindows: 1, resolveWindows: 2, onlineMinWindows: 12, onlineMaxWindows: 20 };
    // Its own level sits 5 pool sigmas off (no anomaly against the pool), with a small wobble.
    const level = 20 + 5 * SIGMA;
    const wobble = [0.1, -0.05, 0.02, -0.1, 0.07, 0, -0.03, 0.1, -0.08, 0.04];
    const own = (m: number, offset = 0) => {
      const mean = level + offset + wobble[m % wobble.length]!;
      return win('fresh', m, [mean - 0.2, mean + 0.2]);
    };
    /** A detector that learned minutes [0, n) of `fresh`, and what it would persist. */
    const learned = (n: number) => {
      const { d, setModel } = detector(config, pooledModel());
      run(
        d,
        Array.from({ length: n }, (_, m) => own(m)),
      );
      return { d, setModel, changes: d.takeOnlineChanges() };
    };

    it('reports the series whose online baseline learned a window, with its snapshot, once', () => {
      const { d, changes } = learned(14);
      expect(changes.removed).toEqual([]);
      expect(changes.saved.map(([key]) => key)).toEqual(['fresh|temp']);
      const [, snapshot] = changes.saved[0]!;
      expect(snapshot.times).toEqual(Array.from({ length: 14 }, (_, m) => T0 + m * M));
      expect(d.takeOnlineChanges()).toEqual({ saved: [], removed: [] });
      // a series the batch fit covers has no online baseline to persist
      run(d, [normal('d1', 14)]);
      expect(d.takeOnlineChanges()).toEqual({ saved: [], removed: [] });
    });

    it('a restored snapshot scores the very first window after a restart against the online baseline', () => {
      const { changes } = learned(14);
      const shifted = [own(14, 2)];
      // A fresh detector is still learning: against the pool a steady offset is no drift.
      expect(run(detector(config, pooledModel()).d, shifted)).toEqual([]);
      const restarted = detector(config, pooledModel()).d;
      restarted.restoreOnline(changes.saved);
      const events = run(restarted, shifted);
      expect(summary(events)).toEqual(['drift:open@14']);
      expect(events[0]).toMatchObject({ deviceId: 'fresh', baselineVersion: ONLINE_BASELINE_VERSION });
    });

    it('windows replayed after a restart (already in the snapshot) are not learned again; later ones are', () => {
      const { changes } = learned(14);
      const snapshot = changes.saved[0]![1];
      const restarted = detector(config, pooledModel()).d;
      restarted.restoreOnline(changes.saved);
      // the replay from the committed offset: minutes the snapshot already holds
      expect(
        run(
          restarted,
          [10, 11, 12, 13].map((m) => own(m)),
        ),
      ).toEqual([]);
      expect(restarted.takeOnlineChanges()).toEqual({ saved: [], removed: [] });
      run(restarted, [own(14)]);
      expect(restarted.takeOnlineChanges().saved).toEqual([
        [
          'fresh|temp',
          { times: [...snapshot.times, T0 + 14 * M], means: [...snapshot.means, own(14).aggregate.sum / 2] },
        ],
      ]);
    });

    it('a series the batch baseline comes to cover drops its online baseline: reported as removed', () => {
      const { d, setModel } = learned(14);
      setModel(pooledModel(['fresh|temp']));
      run(d, [own(14)]);
      expect(d.takeOnlineChanges()).toEqual({ saved: [], removed: ['fresh|temp'] });
      run(d, [own(15)]);
      expect(d.takeOnlineChanges()).toEqual({ saved: [], removed: [] });
    });

    it('a restored snapshot of a series the batch baseline covers now is reported as removed, not used', () => {
      const { changes } = learned(14);
      const restarted = detector(config, pooledModel(['fresh|temp'])).d;
      restarted.restoreOnline(changes.saved);
      const events = run(restarted, [own(14, 2)]);
      // scored against its batch series baseline (median 20), which it is far off
      expect(events).toMatchObject([{ kind: 'drift', state: 'open', baselineVersion: 'v1' }]);
      expect(restarted.takeOnlineChanges()).toEqual({ saved: [], removed: ['fresh|temp'] });
    });

    it('restored entries that stopped learning onlineMaxAgeMinutes before the newest one are reported as removed', () => {
      const { changes } = learned(14);
      const snapshot = changes.saved[0]![1];
      const shift = (minutes: number) => ({
        times: snapshot.times.map((t) => t - minutes * M),
        means: snapshot.means,
      });
      const restarted = detector({ ...config, onlineMaxAgeMinutes: 45 }, pooledModel()).d;
      restarted.restoreOnline([
        ['fresh|temp', snapshot],
        ['at-the-edge|temp', shift(45)],
        ['gone|temp', shift(46)],
        ['bad|temp', { times: [T0 + M, T0], means: [1, 1] }],
      ]);
      expect(restarted.takeOnlineChanges()).toEqual({ saved: [], removed: ['gone|temp'] });
      // the kept one still scores the first window
      expect(summary(run(restarted, [own(14, 2)]))).toEqual(['drift:open@14']);
    });

    it('an invalid restored snapshot is ignored: the series learns afresh', () => {
      const restarted = detector(config, pooledModel()).d;
      restarted.restoreOnline([['fresh|temp', { times: [T0 + M, T0], means: [level, level] }]]);
      expect(run(restarted, [own(14, 2)])).toEqual([]);
      expect(restarted.takeOnlineChanges().saved).toEqual([
        ['fresh|temp', { times: [T0 + 14 * M], means: [own(14, 2).aggregate.sum / 2] }],
      ]);
    });
  });
});
