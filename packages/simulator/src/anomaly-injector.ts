// An optional, seeded injector of labelled anomalies (spikes, drifts, stuck sensors, dropouts) into simulated readings.
import type { Reading } from '@lambda-iot/core';
import { prngFor } from './prng';
import type { TrafficItem } from './traffic-generator';

export const INJECTED_ANOMALY_KINDS = ['spike', 'drift', 'stuck', 'dropout'] as const;
export type InjectedAnomalyKind = (typeof INJECTED_ANOMALY_KINDS)[number];

/** One injected anomaly on one series over [start, end): the ground truth an anomaly detector is scored on. */
export interface AnomalyLabel {
  deviceId: string;
  metric: string;
  kind: InjectedAnomalyKind;
  start: number;
  end: number;
  /** Offset added (spike; drift at full strength), in the metric's unit; 0 for stuck and dropout. */
  magnitude: number;
  /** Drifts: the time from `start` over which the offset ramps linearly to `magnitude` (default half the drift). */
  rampMs?: number;
}

export interface AnomalyInjectorOptions {
  seed: number;
  deviceIds: readonly string[];
  /** Metrics anomalies may hit (a dropout silences every one of them). */
  metrics: readonly string[];
  /** Event-time span anomalies are placed in. */
  from: number;
  to: number;
  /** Anomalies per device, in separate slots of the span. Default 2. */
  perDevice?: number;
  kinds?: readonly InjectedAnomalyKind[];
  /** The metric's unit of deviation: spikes are 8-12 of it, drifts ramp to 4-6 of it. */
  scales?: Readonly<Record<string, number>>;
  /** Metrics that only rise (vibration): their spikes and drifts go up. */
  upwardOnly?: readonly string[];
  /**
   * Shortest and longest drift ramp in minutes, drawn per drift; at most 40 (the shortest drift). Default: a
   * drift ramps over half its duration and nothing extra is drawn, so a seed's labels stay the same.
   */
  driftRampMinutes?: readonly [number, number];
}

/** Scales matching the simulator's metric models (noise and daily swing). */
export const DEFAULT_ANOMALY_SCALES: Readonly<Record<string, number>> = Object.freeze({
  temperature: 1,
  humidity: 3,
  vibration: 1,
});

const MINUTE = 60_000;
/** Quiet time kept around each anomaly so that one's aftermath never reads as the next one's start. */
const SLOT_MARGIN = 45 * MINUTE;
const DURATION: Readonly<Record<InjectedAnomalyKind, [number, number]>> = {
  spike: [3, 8],
  drift: [40, 60],
  stuck: [15, 30],
  dropout: [15, 30],
};

/**
 * Plans the anomalies up front from (seed, devices, span), so the labels are known before any traffic flows, and
 * transforms readings one at a time. Nothing in the simulator uses it unless asked: default traffic is unchanged.
 */
export class AnomalyInjector {
  readonly labels: readonly AnomalyLabel[];
  private readonly bySeries = new Map<string, AnomalyLabel[]>();
  private readonly frozen = new Map<AnomalyLabel, number>();

  constructor(options: AnomalyInjectorOptions) {
    const perDevice = Math.max(0, Math.floor(options.perDevice ?? 2));
    const kinds = options.kinds ?? INJECTED_ANOMALY_KINDS;
    const scales = { ...DEFAULT_ANOMALY_SCALES, ...options.scales };
    const upward = new Set(options.upwardOnly ?? ['vibration']);
    const rampMinutes = options.driftRampMinutes;
    if (
      rampMinutes &&
      !(rampMinutes[0] > 0 && rampMinutes[0] <= rampMinutes[1] && rampMinutes[1] <= DURATION.drift[0])
    )
      throw new RangeError(`drift ramps must satisfy 0 < min <= max <= ${DURATION.drift[0]} minutes`);
    const slot = (options.to - options.from) / Math.max(1, perDevice);
    if (perDevice > 0 && slot < 2 * SLOT_MARGIN + 60 * MINUTE)
      throw new RangeError('span too short for that many anomalies per device');
    const labels: AnomalyLabel[] = [];
    for (const deviceId of options.deviceIds) {
      const rng = prngFor(options.seed, `anomalies:${deviceId}`);
      for (let i = 0; i < perDevice; i++) {
        const kind = rng.pick(kinds);
        const [lo, hi] = DURATION[kind];
        const duration = rng.int(lo, hi) * MINUTE;
        const earliest = options.from + i * slot + SLOT_MARGIN;
        const latest = options.from + (i + 1) * slot - SLOT_MARGIN - duration;
        const start = Math.floor(rng.range(earliest, latest) / 1000) * 1000;
        if (kind === 'dropout') {
          for (const metric of options.metrics)
            labels.push({ deviceId, metric, kind, start, end: start + duration, magnitude: 0 });
          continue;
        }
        const metric = rng.pick(options.metrics);
        const scale = scales[metric] ?? 1;
        const sign = upward.has(metric) || rng.chance(0.5) ? 1 : -1;
        if (kind === 'drift') {
          const magnitude = sign * scale * rng.range(4, 6);
          const rampMs = rampMinutes
            ? Math.round(rng.range(rampMinutes[0], rampMinutes[1]) * MINUTE)
            : duration / 2;
          labels.push({ deviceId, metric, kind, start, end: start + duration, magnitude, rampMs });
          continue;
        }
        const magnitude = kind === 'spike' ? sign * scale * rng.range(8, 12) : 0;
        labels.push({ deviceId, metric, kind, start, end: start + duration, magnitude });
      }
    }
    this.labels = labels;
    for (const l of labels) {
      const key = `${l.deviceId}|${l.metric}`;
      let list = this.bySeries.get(key);
      if (!list) this.bySeries.set(key, (list = []));
      list.push(l);
    }
  }

  /** The reading as the faulty device sends it; undefined when a dropout swallows it. */
  apply(reading: Reading): Reading | undefined {
    const label = this.labelAt(reading.deviceId, reading.metric, reading.ts);
    if (label === undefined) return reading;
    switch (label.kind) {
      case 'dropout':
        return undefined;
      case 'spike':
        return { ...reading, value: reading.value + label.magnitude };
      case 'drift': {
        // Ramps up linearly, then holds: a sensor going out of calibration (slowly: over half the drift by default).
        const rampMs = label.rampMs ?? (label.end - label.start) / 2;
        const ramp = Math.min(1, (reading.ts - label.start) / rampMs);
        return { ...reading, value: reading.value + label.magnitude * ramp };
      }
      case 'stuck': {
        let value = this.frozen.get(label);
        if (value === undefined) this.frozen.set(label, (value = reading.value));
        return { ...reading, value };
      }
    }
  }

  /** Applies the anomalies to traffic: envelopes keep their order, emptied ones are dropped. */
  *inject(items: Iterable<TrafficItem>): Generator<TrafficItem> {
    for (const item of items) {
      if (item.kind !== 'envelope') {
        yield item;
        continue;
      }
      const { deviceId } = item.envelope;
      const readings = [];
      for (const r of item.envelope.readings) {
        const out = this.apply({ deviceId, metric: r.metric, ts: r.ts, value: r.value });
        if (out !== undefined) readings.push({ ...r, value: out.value });
      }
      if (readings.length > 0) yield { ...item, envelope: { ...item.envelope, readings } };
    }
  }

  private labelAt(deviceId: string, metric: string, ts: number): AnomalyLabel | undefined {
    const list = this.bySeries.get(`${deviceId}|${metric}`);
    if (list === undefined) return undefined;
    for (const l of list) if (ts >= l.start && ts < l.end) return l;
    return undefined;
  }
}
