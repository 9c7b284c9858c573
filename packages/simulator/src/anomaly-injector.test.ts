import { HOUR_MS } from '@lambda-iot/core';
import { AnomalyInjector, type AnomalyInjectorOptions } from './anomaly-injector';
import { NO_FAULTS } from './fault-profile';
import { generateTraffic } from './traffic-generator';

const T0 = Date.UTC(2026, 4, 1);
const OPTIONS: AnomalyInjectorOptions = {
  seed: 7,
  deviceIds: ['dev-0001', 'dev-0002', 'dev-0003', 'dev-0004'],
  metrics: ['temperature', 'humidity', 'vibration'],
  from: T0,
  to: T0 + 24 * HOUR_MS,
  perDevice: 4,
};

describe('AnomalyInjector', () => {
  it('plans the same labelled anomalies for the same seed, and different ones for another seed', () => {
    expect(new AnomalyInjector(OPTIONS).labels).toEqual(new AnomalyInjector(OPTIONS).labels);
    expect(new AnomalyInjector({ ...OPTIONS, seed: 8 }).labels).not.toEqual(
      new AnomalyInjector(OPTIONS).labels,
    );
  });

  it('places anomalies inside the span, apart from each other on every device', () => {
    const { labels } = new AnomalyInjector(OPTIONS);
    for (const d of OPTIONS.deviceIds) {
      const starts = [...new Set(labels.filter((l) => l.deviceId === d).map((l) => `${l.start}-${l.end}`))]
        .map((s) => s.split('-').map(Number) as [number, number])
        .sort((a, b) => a[0] - b[0]);
      expect(starts).toHaveLength(4);
      for (let i = 0; i < starts.length; i++) {
        expect(starts[i]![0]).toBeGreaterThanOrEqual(T0);
        expect(starts[i]![1]).toBeLessThanOrEqual(OPTIONS.to);
        if (i > 0) expect(starts[i]![0] - starts[i - 1]![1]).toBeGreaterThanOrEqual(90 * 60_000);
      }
    }
    // a dropout silences every metric of its device
    const dropouts = labels.filter((l) => l.kind === 'dropout');
    expect(dropouts.length % 3).toBe(0);
  });

  it('transforms readings only inside their anomaly: spike offsets, drift ramps, stuck freezes, dropout drops', () => {
    const inj = new AnomalyInjector({ ...OPTIONS, perDevice: 8, deviceIds: ['dev-0001', 'dev-0002'] });
    const byKind = (k: string) => inj.labels.find((l) => l.kind === k)!;
    const r = (l: { deviceId: string; metric: string }, ts: number, value = 10) => ({ ...l, ts, value });

    const spike = byKind('spike');
    expect(inj.apply(r(spike, spike.start))?.value).toBeCloseTo(10 + spike.magnitude, 9);
    expect(inj.apply(r(spike, spike.end))?.value).toBe(10);
    expect(inj.apply(r(spike, spike.start - 1))?.value).toBe(10);
    expect(Math.abs(spike.magnitude)).toBeGreaterThanOrEqual(8);

    const drift = byKind('drift');
    const half = drift.start + (drift.end - drift.start) / 2;
    expect(inj.apply(r(drift, drift.start))?.value).toBe(10);
    expect(inj.apply(r(drift, (drift.start + half) / 2))?.value).toBeCloseTo(10 + drift.magnitude / 2, 6);
    expect(inj.apply(r(drift, half + 1000))?.value).toBeCloseTo(10 + drift.magnitude, 9);

    const stuck = byKind('stuck');
    expect(inj.apply(r(stuck, stuck.start, 3))?.value).toBe(3);
    expect(inj.apply(r(stuck, stuck.start + 60_000, 4))?.value).toBe(3);
    expect(inj.apply(r(stuck, stuck.end, 5))?.value).toBe(5);

    const dropout = byKind('dropout');
    expect(inj.apply(r(dropout, dropout.start))).toBeUndefined();
    expect(inj.apply(r(dropout, dropout.end))).toBeDefined();
  });

  it('without driftRampMinutes, ramps every drift over half its duration and plans what the seed always did', () => {
    const { labels } = new AnomalyInjector(OPTIONS);
    const drifts = labels.filter((l) => l.kind === 'drift');
    expect(drifts.length).toBeGreaterThan(0);
    for (const d of drifts) expect(d.rampMs).toBe((d.end - d.start) / 2);
    for (const l of labels.filter((x) => x.kind !== 'drift')) expect(l).not.toHaveProperty('rampMs');
    // Seed 7's first drift as planned before ramps were configurable: the option must not shift the draws.
    expect(drifts[0]).toEqual({
      deviceId: 'dev-0001',
      metric: 'temperature',
      kind: 'drift',
      start: 1777603938000,
      end: 1777606398000,
      magnitude: -5.305788928177208,
      rampMs: 1_230_000,
    });
  });

  it('ramps a drift to full magnitude over a ramp drawn from driftRampMinutes, then holds it', () => {
    const inj = new AnomalyInjector({ ...OPTIONS, kinds: ['drift'], driftRampMinutes: [2, 5] });
    expect(inj.labels).toEqual(
      new AnomalyInjector({ ...OPTIONS, kinds: ['drift'], driftRampMinutes: [2, 5] }).labels,
    );
    expect(new Set(inj.labels.map((l) => l.rampMs)).size).toBeGreaterThan(1);
    for (const l of inj.labels) {
      const ramp = l.rampMs!;
      expect(ramp).toBeGreaterThanOrEqual(2 * 60_000);
      expect(ramp).toBeLessThanOrEqual(5 * 60_000);
      const at = (ts: number) => inj.apply({ deviceId: l.deviceId, metric: l.metric, ts, value: 10 })?.value;
      expect(at(l.start)).toBe(10);
      expect(at(l.start + ramp / 2)).toBeCloseTo(10 + l.magnitude / 2, 9);
      expect(at(l.start + ramp - 1000)).toBeCloseTo(10 + l.magnitude * (1 - 1000 / ramp), 9);
      expect(at(l.start + ramp)).toBeCloseTo(10 + l.magnitude, 9);
      expect(at(l.end - 1)).toBeCloseTo(10 + l.magnitude, 9);
      expect(at(l.end)).toBe(10);
    }
  });

  it('with a fixed ramp length, plans the same drifts for every length but for their ramp', () => {
    const fixed = (minutes: number) =>
      new AnomalyInjector({ ...OPTIONS, kinds: ['drift'], driftRampMinutes: [minutes, minutes] }).labels;
    const one = fixed(1);
    const twenty = fixed(20);
    expect(one.every((l) => l.rampMs === 60_000)).toBe(true);
    expect(twenty.every((l) => l.rampMs === 20 * 60_000)).toBe(true);
    expect(twenty.map((l) => ({ ...l, rampMs: 60_000 }))).toEqual(one);
  });

  it('rejects drift ramps that are empty, reversed or longer than the shortest drift', () => {
    for (const driftRampMinutes of [
      [0, 1],
      [5, 2],
      [10, 41],
      [Number.NaN, 1],
    ] as const)
      expect(() => new AnomalyInjector({ ...OPTIONS, driftRampMinutes })).toThrow(RangeError);
    expect(() => new AnomalyInjector({ ...OPTIONS, driftRampMinutes: [40, 40] })).not.toThrow();
  });

  it('applies to simulated traffic without touching devices or times outside any anomaly', () => {
    const traffic = [
      ...generateTraffic({
        seed: 3,
        devices: 2,
        startTime: T0,
        durationMs: 6 * HOUR_MS,
        readingsPerSecond: 1,
        faults: NO_FAULTS,
      }),
    ];
    const inj = new AnomalyInjector({
      seed: 1,
      deviceIds: ['dev-0001'],
      metrics: ['temperature'],
      from: T0,
      to: T0 + 6 * HOUR_MS,
      perDevice: 1,
      kinds: ['dropout'],
    });
    const [label] = inj.labels;
    const out = [...inj.inject(traffic)];
    const readings = (items: typeof traffic) =>
      items.flatMap((i) =>
        i.kind === 'envelope' ? i.envelope.readings.map((r) => ({ d: i.envelope.deviceId, ...r })) : [],
      );
    const before = readings(traffic);
    const after = readings(out);
    const swallowed = before.filter(
      (r) =>
        r.d === label!.deviceId && r.metric === 'temperature' && r.ts >= label!.start && r.ts < label!.end,
    );
    expect(swallowed.length).toBeGreaterThan(0);
    expect(after).toEqual(before.filter((r) => !swallowed.includes(r)));
  });
});
