// A deterministic stream of envelopes with known ground truth: duplicates, small disorder, and readings far too late.
import type { Message } from 'kafkajs';
import {
  aggregateOf,
  encodeEnvelope,
  MINUTE_MS,
  windowStart,
  type Aggregate,
  type EnvelopeReading,
} from '@lambda-iot/core';

export const OUT_OF_ORDERNESS_MS = 5_000;
export const ALLOWED_LATENESS_MS = 120_000;
/** Marks readings sent 10 minutes behind their device: always later than the lateness, so excluded by design. */
const LATE_SEQ_BASE = 1_000_000;

export interface ScenarioMessage {
  partition: number;
  message: Message;
}

export interface ExpectedWindow {
  deviceId: string;
  metric: string;
  windowStart: number;
  aggregate: Aggregate;
  final: boolean;
}

export interface Scenario {
  messages: ScenarioMessage[];
  /** Every window the speed layer must hold once all messages are consumed, keyed `device|metric|start`. */
  expected: Map<string, ExpectedWindow>;
  deviceIds: string[];
  metrics: string[];
  from: number;
  to: number;
  lateReadings: number;
  /** Late readings as delivered: a late reading in a duplicated envelope arrives (and is late) twice. */
  lateArrivals: number;
  duplicateEnvelopes: number;
  malformed: number;
}

export interface ScenarioOptions {
  partitions: number;
  devices: number;
  steps: number;
  /** Event time of step 0, aligned to the minute. */
  start: number;
}

/** mulberry32: a tiny seeded PRNG so every run produces the same stream. */
function prng(seed: number): () => number {
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
 * Device i goes to partition i % partitions, one envelope (temp + hum) per device every 2 s of event time,
 * each reading jittered by -3 s..+1 s: less than the out-of-orderness, so never late. Every 7th envelope is sent
 * twice; every 25th step a device also reports a reading from 10 minutes before (late: beyond the lateness by
 * far, whatever the exact watermark). One malformed record goes to partition 0 halfway.
 */
export function buildScenario(options: ScenarioOptions): Scenario {
  const random = prng(42);
  const metrics = ['temp', 'hum'];
  const deviceIds = Array.from({ length: options.devices }, (_, i) => `dev-${i}`);
  const messages: ScenarioMessage[] = [];
  const truth = new Map<
    string,
    { deviceId: string; metric: string; windowStart: number; readings: Map<string, EnvelopeReading> }
  >();
  const maxTsByPartition = new Map<number, number>();
  let lateReadings = 0;
  let lateArrivals = 0;
  let duplicateEnvelopes = 0;
  let envelopes = 0;
  for (let step = 0; step < options.steps; step++) {
    if (step === Math.floor(options.steps / 2)) {
      messages.push({
        partition: 0,
        message: { key: 'dev-0', value: Buffer.from('{"deviceId":"dev-0","readings":[') },
      });
    }
    for (let d = 0; d < deviceIds.length; d++) {
      const deviceId = deviceIds[d] as string;
      const partition = d % options.partitions;
      const readings: EnvelopeReading[] = metrics.map((metric) => ({
        metric,
        ts: options.start + step * 2_000 + Math.floor(random() * 4_000) - 3_000,
        value: Math.round((random() * 100 - 20) * 1_000) / 1_000,
        seq: step,
      }));
      if (step > 0 && step % 25 === 0) {
        readings.push({
          metric: 'temp',
          ts: options.start + step * 2_000 - 10 * MINUTE_MS,
          value: 999,
          seq: LATE_SEQ_BASE + step,
        });
        lateReadings++;
        lateArrivals++;
      }
      const message: Message = { key: deviceId, value: encodeEnvelope({ deviceId, readings }) };
      messages.push({ partition, message });
      envelopes++;
      if (envelopes % 7 === 0) {
        messages.push({ partition, message: { ...message } });
        duplicateEnvelopes++;
        if (readings.length > metrics.length) lateArrivals++;
      }
      for (const r of readings) {
        maxTsByPartition.set(
          partition,
          Math.max(maxTsByPartition.get(partition) ?? Number.NEGATIVE_INFINITY, r.ts),
        );
        if ((r.seq ?? 0) >= LATE_SEQ_BASE) continue;
        const start = windowStart(r.ts, '1m');
        const id = `${deviceId}|${r.metric}|${start}`;
        const entry = truth.get(id) ?? {
          deviceId,
          metric: r.metric,
          windowStart: start,
          readings: new Map(),
        };
        entry.readings.set(`${r.ts}|${r.seq}`, r);
        truth.set(id, entry);
      }
    }
  }
  const expected = new Map<string, ExpectedWindow>();
  for (const [id, t] of truth) {
    const partition = deviceIds.indexOf(t.deviceId) % options.partitions;
    const watermark = (maxTsByPartition.get(partition) as number) - OUT_OF_ORDERNESS_MS;
    expected.set(id, {
      deviceId: t.deviceId,
      metric: t.metric,
      windowStart: t.windowStart,
      aggregate: aggregateOf(t.readings.values()),
      final: t.windowStart + MINUTE_MS + ALLOWED_LATENESS_MS <= watermark,
    });
  }
  return {
    messages,
    expected,
    deviceIds,
    metrics,
    from: options.start - 15 * MINUTE_MS,
    to: options.start + options.steps * 2_000 + 2 * MINUTE_MS,
    lateReadings,
    lateArrivals,
    duplicateEnvelopes,
    malformed: 1,
  };
}
