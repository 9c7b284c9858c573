import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MINUTE_MS, readingKey } from '@lambda-iot/core';
import { GroundTruth } from './ground-truth';
import { generateTraffic, TrafficGenerator } from './traffic-generator';

const OPTIONS = {
  seed: 7,
  devices: 10,
  startTime: Date.UTC(2026, 0, 15),
  durationMs: 5 * MINUTE_MS,
  readingsPerSecond: 100,
  envelopeSize: 20,
};

describe('GroundTruth', () => {
  it('holds every valid reading sent exactly once: duplicates collapse, malformed records never enter', () => {
    const gen = new TrafficGenerator({ ...OPTIONS, faults: { malformed: 0.2 } });
    const items = [...gen.items()];
    const truth = GroundTruth.fromTraffic(items);
    const sentKeys = new Set<string>();
    let sent = 0;
    for (const item of items) {
      if (item.kind !== 'envelope') continue;
      for (const r of item.envelope.readings) {
        sent++;
        sentKeys.add(readingKey({ deviceId: item.envelope.deviceId, ...r }));
      }
    }
    expect(gen.stats.duplicates).toBeGreaterThan(0);
    expect(gen.stats.malformed).toBeGreaterThan(0);
    expect(sent - truth.size).toBe(gen.stats.duplicates);
    expect(truth.size).toBe(sentKeys.size);
    for (const r of truth) expect(sentKeys.has(readingKey(r))).toBe(true);
    // Malformed payloads carry timestamps in 1990 and 2100; none of them may be in the truth.
    for (const r of truth) expect(r.ts).toBeGreaterThan(Date.UTC(2025, 0, 1));
  });

  it('observes traffic passing through without changing it', () => {
    const truth = new GroundTruth();
    const passed = [...truth.observe(generateTraffic(OPTIONS))];
    expect(passed).toEqual([...generateTraffic(OPTIONS)]);
    expect(truth.size).toBe(GroundTruth.fromTraffic(passed).size);
  });

  it('writes sorted NDJSON and reads it back to the same truth', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'truth-'));
    try {
      const truth = GroundTruth.fromTraffic(generateTraffic(OPTIONS));
      const path = join(dir, 'truth.ndjson');
      await truth.writeNdjson(path);
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(truth.size);
      expect(lines.map((l) => JSON.parse(l))).toEqual(truth.sorted());
      const back = await GroundTruth.readNdjson(path);
      expect(back.sorted()).toEqual(truth.sorted());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('aggregates per device, metric and window, counting each reading once', () => {
    const truth = new GroundTruth();
    truth.addEnvelope({
      deviceId: 'd1',
      readings: [
        { metric: 'm', ts: 60_000, value: 2, seq: 1 },
        { metric: 'm', ts: 60_500, value: 4, seq: 2 },
      ],
    });
    truth.addEnvelope({
      deviceId: 'd1',
      readings: [
        { metric: 'm', ts: 60_500, value: 4, seq: 2 },
        { metric: 'm', ts: 120_000, value: 9, seq: 3 },
      ],
    });
    const aggs = truth.aggregates('1m');
    expect(aggs.get('d1|m|60000')).toMatchObject({ count: 2, sum: 6, min: 2, max: 4, first: 2, last: 4 });
    expect(aggs.get('d1|m|120000')).toMatchObject({ count: 1, sum: 9 });
    expect(truth.has({ deviceId: 'd1', metric: 'm', ts: 60_500, seq: 2 })).toBe(true);
    expect(truth.has({ deviceId: 'd1', metric: 'm', ts: 60_500, seq: 3 })).toBe(false);
  });
});
