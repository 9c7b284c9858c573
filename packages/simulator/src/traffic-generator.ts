// Turns a seeded fleet into the exact sequence of envelopes and malformed records it sends, with every configured fault.
import { HOUR_MS, type Envelope, type EnvelopeReading } from '@lambda-iot/core';
import { DEFAULT_FAULTS, LATE_MINUTES_MS, OUT_OF_ORDER_MS, type FaultProfile } from './fault-profile';
import { fleetDevices, type FleetDevice } from './fleet';
import { MALFORMED_KINDS, EXPECTED_REJECTION, malformedBytes, type MalformedKind } from './malformed-record';
import { deviceProfile, metricValue, METRICS, type DeviceProfile, type MetricName } from './metric-models';
import { prngFor, type Prng } from './prng';

export interface TrafficOptions {
  seed: number;
  /** Fleet size; devices are `dev-0001` …. */
  devices: number;
  /** Event time of the first live reading, epoch ms. */
  startTime: number;
  /** Simulated span of live readings, ms. */
  durationMs: number;
  /** Live readings per simulated second across the fleet (backlogs and duplicates come on top). */
  readingsPerSecond: number;
  /** Readings per envelope; a device sends when its buffer is full, and flushes what is left at the end. */
  envelopeSize?: number;
  metrics?: readonly MetricName[];
  faults?: Partial<FaultProfile>;
}

export interface EnvelopeItem {
  kind: 'envelope';
  envelope: Envelope;
  /** Simulated time the device sends it, epoch ms. */
  sendAt: number;
}

export interface MalformedItem {
  kind: 'malformed';
  deviceId: string;
  bytes: Buffer;
  reason: MalformedKind;
  /** What a receiver validating with core must answer. */
  expected: (typeof EXPECTED_REJECTION)[MalformedKind];
  sendAt: number;
}

export type TrafficItem = EnvelopeItem | MalformedItem;

export interface TrafficStats {
  envelopes: number;
  /** Readings in envelopes, duplicates included. */
  readings: number;
  duplicates: number;
  outOfOrder: number;
  lateMinutes: number;
  /** Readings sent from an offline device's backlog. */
  backlog: number;
  /** Backlog readings sent at least an hour after their event time. */
  lateHours: number;
  /** Readings from devices with a skewed clock. */
  skewed: number;
  malformed: number;
  malformedByKind: Partial<Record<MalformedKind, number>>;
}

interface Held {
  releaseAt: number;
  reading: EnvelopeReading;
  duplicable: boolean;
}

interface DeviceState {
  device: FleetDevice;
  profile: DeviceProfile;
  skewMs: number;
  offline: { start: number; end: number } | undefined;
  backlogSent: boolean;
  seq: number;
  buffer: EnvelopeReading[];
  held: Held[];
}

export const DEFAULT_ENVELOPE_SIZE = 100;

/** Traffic in send order; iterate `items()` once, then read `stats`. */
export class TrafficGenerator {
  readonly stats: TrafficStats = {
    envelopes: 0,
    readings: 0,
    duplicates: 0,
    outOfOrder: 0,
    lateMinutes: 0,
    backlog: 0,
    lateHours: 0,
    skewed: 0,
    malformed: 0,
    malformedByKind: {},
  };
  readonly faults: Readonly<FaultProfile>;
  readonly envelopeSize: number;
  readonly metrics: readonly MetricName[];
  /** Simulated milliseconds between two samples of one device. */
  readonly sampleIntervalMs: number;
  private readonly rng: Prng;
  private readonly devices: DeviceState[];
  private readonly out: TrafficItem[] = [];

  constructor(readonly options: TrafficOptions) {
    if (!(options.devices >= 1)) throw new RangeError('devices must be at least 1');
    if (!(options.readingsPerSecond > 0)) throw new RangeError('readingsPerSecond must be positive');
    if (!(options.durationMs > 0)) throw new RangeError('durationMs must be positive');
    this.faults = { ...DEFAULT_FAULTS, ...options.faults };
    this.envelopeSize = Math.max(1, Math.floor(options.envelopeSize ?? DEFAULT_ENVELOPE_SIZE));
    this.metrics = options.metrics ?? METRICS;
    if (this.metrics.length === 0) throw new RangeError('at least one metric is needed');
    this.sampleIntervalMs = (options.devices * this.metrics.length * 1000) / options.readingsPerSecond;
    this.rng = prngFor(options.seed, 'traffic');
    this.devices = fleetDevices(options.devices, options.seed).map((device) => this.deviceState(device));
  }

  *items(): Generator<TrafficItem> {
    const { startTime, durationMs } = this.options;
    const end = startTime + durationMs;
    const n = this.devices.length;
    for (let k = 0; ; k++) {
      for (let i = 0; i < n; i++) {
        // Devices are staggered inside each interval so the fleet's samples are spread evenly in time.
        const t = startTime + Math.round((k + i / n) * this.sampleIntervalMs);
        if (t >= end) {
          yield* this.finish(end);
          return;
        }
        this.tick(this.devices[i] as DeviceState, t);
        yield* this.drain();
      }
    }
  }

  private deviceState(device: FleetDevice): DeviceState {
    const rng = prngFor(this.options.seed, `traits:${device.deviceId}`);
    const f = this.faults;
    const profile = deviceProfile(device.tags.type, rng);
    const skewed = rng.next() < f.skewedDevices;
    const skewMagnitude = Math.round(rng.range(f.skewMs[0], f.skewMs[1]));
    const skewSign = rng.next() < 0.5 ? -1 : 1;
    const offlineRoll = rng.next();
    const { startTime, durationMs } = this.options;
    const reconnect = startTime + Math.round(rng.range(0.1, 0.9) * durationMs);
    const length = Math.round(rng.range(f.offlineMs[0], f.offlineMs[1]));
    return {
      device,
      profile,
      skewMs: skewed ? skewSign * skewMagnitude : 0,
      offline: offlineRoll < f.offlineDevices ? { start: reconnect - length, end: reconnect } : undefined,
      backlogSent: false,
      seq: 0,
      buffer: [],
      held: [],
    };
  }

  private tick(d: DeviceState, t: number): void {
    if (d.offline !== undefined) {
      if (t >= d.offline.start && t < d.offline.end) return; // offline: recorded by the backlog instead
      if (t >= d.offline.end && !d.backlogSent) this.sendBacklog(d, t);
    }
    this.release(d, t);
    for (const metric of this.metrics) {
      const reading = this.record(d, metric, t);
      const u = this.rng.next();
      if (u < this.faults.outOfOrder) {
        this.stats.outOfOrder++;
        this.hold(d, reading, t + Math.round(this.rng.range(OUT_OF_ORDER_MS[0], OUT_OF_ORDER_MS[1])));
      } else if (u < this.faults.outOfOrder + this.faults.lateMinutes) {
        this.stats.lateMinutes++;
        this.hold(d, reading, t + Math.round(this.rng.range(LATE_MINUTES_MS[0], LATE_MINUTES_MS[1])));
      } else {
        this.push(d, reading, t, true);
      }
    }
    this.flushFull(d, t);
  }

  /** The device reconnects: everything it recorded while offline goes out now, sparser the longer it was away. */
  private sendBacklog(d: DeviceState, t: number): void {
    d.backlogSent = true;
    const offline = d.offline as { start: number; end: number };
    const span = offline.end - offline.start;
    const samples = Math.max(
      1,
      Math.min(this.faults.maxBacklogSamples, Math.floor(span / this.sampleIntervalMs)),
    );
    for (let j = 0; j < samples; j++) {
      const at = offline.start + Math.round((j * span) / samples);
      for (const metric of this.metrics) {
        const reading = this.record(d, metric, at);
        this.stats.backlog++;
        if (t - reading.ts >= HOUR_MS) this.stats.lateHours++;
        this.push(d, reading, t, true);
        this.flushFull(d, t);
      }
    }
  }

  private record(d: DeviceState, metric: MetricName, trueTs: number): EnvelopeReading {
    // A skewed clock shifts the reported time, and the value follows the reported time like any device would.
    const ts = trueTs + d.skewMs;
    if (d.skewMs !== 0) this.stats.skewed++;
    return { metric, ts, value: metricValue(metric, ts, d.profile, this.rng), seq: d.seq++ };
  }

  private hold(d: DeviceState, reading: EnvelopeReading, releaseAt: number, duplicable = true): void {
    d.held.push({ releaseAt, reading, duplicable });
  }

  private release(d: DeviceState, t: number): void {
    if (d.held.length === 0) return;
    const due = d.held.filter((h) => h.releaseAt <= t);
    if (due.length === 0) return;
    d.held = d.held.filter((h) => h.releaseAt > t);
    due.sort((a, b) => a.releaseAt - b.releaseAt);
    for (const h of due) this.push(d, h.reading, t, h.duplicable);
  }

  private push(d: DeviceState, reading: EnvelopeReading, t: number, duplicable: boolean): void {
    d.buffer.push(reading);
    if (duplicable && this.rng.chance(this.faults.duplicates)) {
      this.stats.duplicates++;
      // The resend comes a little later, usually in another envelope, as after a lost acknowledgement.
      this.hold(d, { ...reading }, t + Math.round(this.rng.range(0, 2_000)), false);
    }
  }

  private flushFull(d: DeviceState, t: number): void {
    while (d.buffer.length >= this.envelopeSize) this.emit(d, d.buffer.splice(0, this.envelopeSize), t);
  }

  private emit(d: DeviceState, readings: EnvelopeReading[], t: number): void {
    this.stats.envelopes++;
    this.stats.readings += readings.length;
    this.out.push({ kind: 'envelope', envelope: { deviceId: d.device.deviceId, readings }, sendAt: t });
    if (this.rng.chance(this.faults.malformed)) {
      const kind = MALFORMED_KINDS[this.stats.malformed % MALFORMED_KINDS.length] as MalformedKind;
      this.stats.malformed++;
      this.stats.malformedByKind[kind] = (this.stats.malformedByKind[kind] ?? 0) + 1;
      this.out.push({
        kind: 'malformed',
        deviceId: d.device.deviceId,
        bytes: malformedBytes(kind, d.device.deviceId, t, this.rng),
        reason: kind,
        expected: EXPECTED_REJECTION[kind],
        sendAt: t,
      });
    }
  }

  private *drain(): Generator<TrafficItem> {
    if (this.out.length === 0) return;
    const items = this.out.splice(0, this.out.length);
    yield* items;
  }

  private *finish(end: number): Generator<TrafficItem> {
    for (const d of this.devices) {
      if (d.offline !== undefined && !d.backlogSent) this.sendBacklog(d, end);
      this.release(d, Number.POSITIVE_INFINITY);
      // Resends held at the very end are released here too; they cannot spawn further resends.
      this.release(d, Number.POSITIVE_INFINITY);
      this.flushFull(d, end);
      if (d.buffer.length > 0) this.emit(d, d.buffer.splice(0, d.buffer.length), end);
      yield* this.drain();
    }
  }
}

/** The traffic of `options` in send order. Deterministic: the same options always give the same items. */
export function generateTraffic(options: TrafficOptions): Iterable<TrafficItem> {
  return new TrafficGenerator(options).items();
}
