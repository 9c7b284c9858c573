// Every valid reading a run sent, deduplicated as the pipeline must: what any aggregate is checked against.
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  addToAggregate,
  emptyAggregate,
  readingKey,
  windowStart,
  type Aggregate,
  type Envelope,
  type Reading,
  type Resolution,
} from '@lambda-iot/core';
import type { TrafficItem } from './traffic-generator';

/** Readings keyed by core's `readingKey`; the first copy of a duplicate is kept (duplicates are exact resends). */
export class GroundTruth implements Iterable<Reading> {
  private readonly byKey = new Map<string, Reading>();

  /** Records an envelope that was sent; malformed traffic is never part of the truth. */
  addEnvelope(envelope: Envelope): void {
    for (const r of envelope.readings) {
      const reading: Reading = { deviceId: envelope.deviceId, metric: r.metric, ts: r.ts, value: r.value };
      if (r.seq !== undefined) reading.seq = r.seq;
      this.add(reading);
    }
  }

  add(reading: Reading): void {
    const key = readingKey(reading);
    if (!this.byKey.has(key)) this.byKey.set(key, reading);
  }

  /** Passes traffic through unchanged, recording its envelopes: `for (const item of truth.observe(traffic))`. */
  *observe(items: Iterable<TrafficItem>): Generator<TrafficItem> {
    for (const item of items) {
      if (item.kind === 'envelope') this.addEnvelope(item.envelope);
      yield item;
    }
  }

  get size(): number {
    return this.byKey.size;
  }

  has(reading: Pick<Reading, 'deviceId' | 'metric' | 'ts'> & { seq?: number | undefined }): boolean {
    return this.byKey.has(readingKey(reading));
  }

  [Symbol.iterator](): Iterator<Reading> {
    return this.byKey.values();
  }

  /** Readings sorted by device, metric, ts, seq: a stable order for files and comparisons. */
  sorted(): Reading[] {
    return [...this.byKey.values()].sort(compareReadings);
  }

  /**
   * The aggregate of every (deviceId, metric, window) at `resolution`, keyed `deviceId|metric|windowStart`:
   * what both layers must converge to.
   */
  aggregates(resolution: Resolution): Map<string, Aggregate> {
    const out = new Map<string, Aggregate>();
    for (const r of this.byKey.values()) {
      const key = `${r.deviceId}|${r.metric}|${windowStart(r.ts, resolution)}`;
      let agg = out.get(key);
      if (agg === undefined) {
        agg = emptyAggregate();
        out.set(key, agg);
      }
      addToAggregate(agg, r.ts, r.value);
    }
    return out;
  }

  /** One JSON reading per line, sorted; streams, so large truths do not build one big string. */
  async writeNdjson(path: string): Promise<void> {
    const out = createWriteStream(path, { encoding: 'utf8' });
    for (const r of this.sorted()) {
      if (!out.write(`${JSON.stringify(r)}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }

  static async readNdjson(path: string): Promise<GroundTruth> {
    const truth = new GroundTruth();
    const lines = createInterface({
      input: createReadStream(path, { encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    for await (const line of lines) {
      if (line.trim() !== '') truth.add(JSON.parse(line) as Reading);
    }
    return truth;
  }

  static fromTraffic(items: Iterable<TrafficItem>): GroundTruth {
    const truth = new GroundTruth();
    for (const item of items) if (item.kind === 'envelope') truth.addEnvelope(item.envelope);
    return truth;
  }
}

function compareReadings(a: Reading, b: Reading): number {
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  if (a.metric !== b.metric) return a.metric < b.metric ? -1 : 1;
  if (a.ts !== b.ts) return a.ts - b.ts;
  return (a.seq ?? -1) - (b.seq ?? -1);
}
