import {
  decodeEnvelope,
  encodeEnvelope,
  HOUR_MS,
  MINUTE_MS,
  readingKey,
  validationLimitsAt,
  type Reading,
} from '@lambda-iot/core';
import { DEFAULT_FAULTS, NO_FAULTS } from './fault-profile';
import { MALFORMED_KINDS } from './malformed-record';
import {
  TrafficGenerator,
  generateTraffic,
  type EnvelopeItem,
  type MalformedItem,
  type TrafficItem,
  type TrafficOptions,
} from './traffic-generator';

const START = Date.UTC(2026, 0, 15, 12, 0, 0);

function options(overrides: Partial<TrafficOptions> = {}): TrafficOptions {
  return {
    seed: 42,
    devices: 20,
    startTime: START,
    durationMs: 10 * MINUTE_MS,
    readingsPerSecond: 200,
    envelopeSize: 25,
    ...overrides,
  };
}

function run(overrides: Partial<TrafficOptions> = {}): { gen: TrafficGenerator; items: TrafficItem[] } {
  const gen = new TrafficGenerator(options(overrides));
  return { gen, items: [...gen.items()] };
}

const envelopes = (items: TrafficItem[]): EnvelopeItem[] =>
  items.filter((i): i is EnvelopeItem => i.kind === 'envelope');
const malformed = (items: TrafficItem[]): MalformedItem[] =>
  items.filter((i): i is MalformedItem => i.kind === 'malformed');
const readingsOf = (items: TrafficItem[]): Reading[] =>
  envelopes(items).flatMap((e) => e.envelope.readings.map((r) => ({ deviceId: e.envelope.deviceId, ...r })));

describe('generateTraffic', () => {
  it('is deterministic for a seed and differs for another seed', () => {
    const short = { durationMs: 2 * MINUTE_MS };
    const a = [...generateTraffic(options(short))];
    const b = [...generateTraffic(options(short))];
    const c = [...generateTraffic(options({ ...short, seed: 43 }))];
    expect(a.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('sends items in non-decreasing send time', () => {
    const { items } = run();
    for (let i = 1; i < items.length; i++)
      expect(items[i]!.sendAt).toBeGreaterThanOrEqual(items[i - 1]!.sendAt);
  });

  it('without faults sends exactly rate x duration readings, each once, in envelopes of the configured size', () => {
    const { gen, items } = run({ faults: NO_FAULTS });
    const readings = readingsOf(items);
    expect(readings).toHaveLength(200 * 600);
    expect(new Set(readings.map(readingKey)).size).toBe(readings.length);
    expect(malformed(items)).toHaveLength(0);
    expect(Math.max(...envelopes(items).map((e) => e.envelope.readings.length))).toBe(25);
    expect(gen.stats).toMatchObject({
      duplicates: 0,
      outOfOrder: 0,
      lateMinutes: 0,
      backlog: 0,
      skewed: 0,
      malformed: 0,
    });
    const times = readings.map((r) => r.ts);
    expect(Math.min(...times)).toBe(START);
    expect(Math.max(...times)).toBeLessThan(START + 10 * MINUTE_MS);
  });

  it('produces every envelope valid by core at its send time', () => {
    const { items } = run();
    const refused: unknown[] = [];
    let kept = 0;
    for (const e of envelopes(items)) {
      const result = decodeEnvelope(encodeEnvelope(e.envelope), validationLimitsAt(e.sendAt));
      refused.push(...result.rejections);
      kept += result.readings.length;
    }
    expect(refused).toEqual([]);
    expect(kept).toBe(readingsOf(items).length);
  });

  it('produces malformed records that core refuses with the expected reason, covering every kind', () => {
    const { items } = run({ faults: { malformed: 0.5 } });
    const bad = malformed(items);
    expect(new Set(bad.map((m) => m.reason))).toEqual(new Set(MALFORMED_KINDS));
    for (const m of bad) {
      const result = decodeEnvelope(m.bytes, validationLimitsAt(m.sendAt));
      expect(result.readings).toEqual([]);
      expect(result.rejections.map((r) => r.reason)).toContain(m.expected);
    }
  });

  it('keeps fault ratios near the configured ones', () => {
    const { gen } = run({ devices: 50, readingsPerSecond: 500 });
    const live = 500 * 600;
    const s = gen.stats;
    expect(s.duplicates / live).toBeGreaterThan(DEFAULT_FAULTS.duplicates * 0.8);
    expect(s.duplicates / live).toBeLessThan(DEFAULT_FAULTS.duplicates * 1.25);
    expect(s.outOfOrder / live).toBeGreaterThan(DEFAULT_FAULTS.outOfOrder * 0.8);
    expect(s.outOfOrder / live).toBeLessThan(DEFAULT_FAULTS.outOfOrder * 1.25);
    expect(s.lateMinutes / live).toBeGreaterThan(DEFAULT_FAULTS.lateMinutes * 0.7);
    expect(s.lateMinutes / live).toBeLessThan(DEFAULT_FAULTS.lateMinutes * 1.4);
    expect(s.malformed / s.envelopes).toBeGreaterThan(DEFAULT_FAULTS.malformed * 0.5);
    expect(s.malformed / s.envelopes).toBeLessThan(DEFAULT_FAULTS.malformed * 1.6);
  });

  it('shows every fault in the traffic itself: resends, disorder, minutes- and hours-late readings, skewed clocks', () => {
    const { items } = run();
    const seen = new Map<string, number>();
    let resent = 0;
    let outOfOrder = 0;
    let lateMinutes = 0;
    let lateHours = 0;
    let skewedAhead = 0;
    for (const e of envelopes(items)) {
      for (const r of e.envelope.readings) {
        const key = readingKey({ deviceId: e.envelope.deviceId, ...r });
        if (seen.has(key)) resent++;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        const delay = e.sendAt - r.ts;
        if (delay >= HOUR_MS) lateHours++;
        else if (delay >= MINUTE_MS) lateMinutes++;
        else if (delay >= 1_000) outOfOrder++;
        else if (delay < 0) skewedAhead++;
      }
    }
    expect(resent).toBeGreaterThan(0);
    expect(outOfOrder).toBeGreaterThan(0);
    expect(lateMinutes).toBeGreaterThan(0);
    expect(lateHours).toBeGreaterThan(0);
    expect(skewedAhead).toBeGreaterThan(0);
  });

  it('gives every device increasing seq in event-time order and a strictly rising energy counter', () => {
    const readings = readingsOf(run().items);
    const byDevice = new Map<string, Reading[]>();
    for (const r of readings) {
      if (!byDevice.has(r.deviceId)) byDevice.set(r.deviceId, []);
      byDevice.get(r.deviceId)!.push(r);
    }
    const violations: string[] = [];
    for (const list of byDevice.values()) {
      const unique = [...new Map(list.map((r) => [r.seq, r])).values()].sort((a, b) => a.seq! - b.seq!);
      for (let i = 1; i < unique.length; i++) {
        if (unique[i]!.ts < unique[i - 1]!.ts)
          violations.push(`seq ${unique[i]!.seq} of ${unique[i]!.deviceId} goes back in time`);
      }
      const energy = unique.filter((r) => r.metric === 'energy');
      for (let i = 1; i < energy.length; i++) {
        if (energy[i]!.ts > energy[i - 1]!.ts && !(energy[i]!.value > energy[i - 1]!.value)) {
          violations.push(`energy of ${energy[i]!.deviceId} falls at ${energy[i]!.ts}`);
        }
      }
    }
    expect(byDevice.size).toBe(20);
    expect(violations).toEqual([]);
  });

  it('puts a daily cycle into temperature and spikes into vibration', () => {
    const { items } = run({
      devices: 1,
      durationMs: 24 * HOUR_MS,
      readingsPerSecond: 0.05,
      faults: NO_FAULTS,
      envelopeSize: 10,
    });
    const readings = readingsOf(items);
    const temps = readings.filter((r) => r.metric === 'temperature').map((r) => r.value);
    expect(Math.max(...temps) - Math.min(...temps)).toBeGreaterThan(6);
    const vib = readings.filter((r) => r.metric === 'vibration').map((r) => r.value);
    expect(vib.some((v) => v > 4)).toBe(true);
    expect(vib.filter((v) => v < 1).length).toBeGreaterThan(vib.length * 0.9);
  });

  it('refuses options that cannot produce traffic', () => {
    expect(() => new TrafficGenerator(options({ devices: 0 }))).toThrow(RangeError);
    expect(() => new TrafficGenerator(options({ readingsPerSecond: 0 }))).toThrow(RangeError);
    expect(() => new TrafficGenerator(options({ durationMs: 0 }))).toThrow(RangeError);
  });
});
