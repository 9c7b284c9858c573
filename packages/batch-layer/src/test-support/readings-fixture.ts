// Deterministic readings for integration tests: duplicates, out-of-order arrival, and the ground truth.
import {
  aggregateOf,
  readingKey,
  windowStart,
  type Aggregate,
  type Reading,
  type Resolution,
} from '@lambda-iot/core';

/** Small seeded PRNG (mulberry32), so every run sends the same readings. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * `n` readings over [from, from + spanMs) for `devices` devices and two metrics, then ~15% of them sent again
 * (exact duplicates, with or without seq), plus pairs equal in (device, metric, ts) but with different seq,
 * all shuffled. Values have two decimals so sums are well-conditioned.
 */
export function fixtureReadings(
  seed: number,
  n: number,
  from: number,
  spanMs: number,
  devices = 4,
  seqBase = 0,
): Reading[] {
  const rand = prng(seed);
  const out: Reading[] = [];
  for (let i = 0; i < n; i++) {
    const deviceId = `dev-${i % devices}`;
    const metric = i % 3 === 0 ? 'humidity' : 'temperature';
    const ts = from + Math.floor(rand() * spanMs);
    const value = Math.round((rand() * 200 - 50) * 100) / 100;
    const r: Reading = { deviceId, metric, ts, value };
    if (i % 5 !== 0) r.seq = seqBase + i;
    out.push(r);
    // Same device/metric/ts but a different seq: a distinct reading, both must count.
    if (i % 37 === 0) out.push({ deviceId, metric, ts, value: value + 1, seq: seqBase + n + i });
  }
  const dups = out.filter((_, i) => i % 7 === 0).map((r) => ({ ...r }));
  const all = [...out, ...dups];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j] as Reading, all[i] as Reading];
  }
  return all;
}

/** Ground truth: deduplicated by core's readingKey, aggregated with core's aggregateOf. Key: device|metric|res|start. */
export function groundTruth(readings: readonly Reading[]): Map<string, Aggregate> {
  const unique = new Map<string, Reading>();
  for (const r of readings) if (!unique.has(readingKey(r))) unique.set(readingKey(r), r);
  const groups = new Map<string, Reading[]>();
  for (const r of unique.values()) {
    for (const res of ['1m', '1h', '1d'] as Resolution[]) {
      const key = `${r.deviceId}|${r.metric}|${res}|${windowStart(r.ts, res)}`;
      let g = groups.get(key);
      if (g === undefined) groups.set(key, (g = []));
      g.push(r);
    }
  }
  return new Map([...groups].map(([k, g]) => [k, aggregateOf(g)]));
}
