// The anomaly evaluation's simulated world: the fleet's settings, its readings, its history as batch-view files, and the detector streamed over a day.
import { DuckDBInstance } from '@duckdb/node-api';
import {
  AnomalyDetector,
  type AlertEvent,
  type BaselineModel,
  type DetectorConfig,
} from '@lambda-iot/anomaly';
import {
  addToAggregate,
  DAY_MS,
  emptyAggregate,
  MINUTE_MS,
  type Aggregate,
  type Reading,
} from '@lambda-iot/core';
import {
  AnomalyInjector,
  metricValue,
  prngFor,
  type AnomalyInjectorOptions,
  type AnomalyLabel,
  type DeviceProfile,
  type MetricName,
  type Prng,
} from '@lambda-iot/simulator';
import {
  DEFAULT_ALLOWED_LATENESS_MS,
  DEFAULT_OUT_OF_ORDERNESS_MS,
  WindowEngine,
} from '@lambda-iot/speed-layer';

export const SEED = Number(process.env.ANOMALY_SEED ?? 42);
export const DEVICES = Number(process.env.ANOMALY_DEVICES ?? 40);
export const NEW_DEVICES = 4;
export const HISTORY_DAYS = Number(process.env.ANOMALY_HISTORY_DAYS ?? 14);
export const PER_DEVICE = Number(process.env.ANOMALY_PER_DEVICE ?? 4);
export const SAMPLE_MS = 10_000;
export const METRICS: readonly MetricName[] = ['temperature', 'humidity', 'vibration'];
export const EVAL_START = Date.UTC(2026, 10, 1);
export const HISTORY_START = EVAL_START - HISTORY_DAYS * DAY_MS;

/** The configuration shipped as the speed app's default for the simulator's metrics. */
export const SHIPPED: Partial<DetectorConfig> = {
  metrics: {
    temperature: { min: -60, max: 150, scaleFloor: 0.1 },
    humidity: { min: 0, max: 100, scaleFloor: 0.5 },
    vibration: { min: 0, max: 50, scaleFloor: 1 },
    energy: { baseline: false },
  },
};

export interface Device {
  deviceId: string;
  type: string;
  profile: DeviceProfile;
  /** Sampling offset inside the 10 s period, so devices do not all report on the same millisecond. */
  offset: number;
}

/** Readings of every device and metric in [from, to), in event-time order, through the injector. */
export function* readings(
  devices: readonly Device[],
  from: number,
  to: number,
  stream: string,
  injector?: AnomalyInjector,
): Generator<Reading> {
  const rngs = new Map<string, Prng>(
    devices.map((d) => [d.deviceId, prngFor(SEED, `${stream}:${d.deviceId}`)]),
  );
  for (let t = from; t < to; t += SAMPLE_MS)
    for (const d of devices) {
      const ts = t + d.offset;
      for (const metric of METRICS) {
        const r: Reading = {
          deviceId: d.deviceId,
          metric,
          ts,
          value: metricValue(metric, ts, d.profile, rngs.get(d.deviceId)!),
        };
        const out = injector ? injector.apply(r) : r;
        if (out) yield out;
      }
    }
}

/** History as the batch view holds it: 1-minute aggregates in a Parquet file with the batch view's columns. */
export async function writeHistory(
  devices: readonly Device[],
  injector: AnomalyInjector,
  file: string,
): Promise<number> {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(`CREATE TABLE v (device_id VARCHAR, metric VARCHAR, window_start BIGINT, count BIGINT, sum DOUBLE,
    min DOUBLE, max DOUBLE, sum_sq DOUBLE, first DOUBLE, first_ts BIGINT, last DOUBLE, last_ts BIGINT)`);
  const appender = await db.createAppender('v');
  let rows = 0;
  let minute = HISTORY_START;
  let open = new Map<string, [Reading, Aggregate]>();
  const flush = (): void => {
    for (const [r, a] of open.values()) {
      appender.appendVarchar(r.deviceId);
      appender.appendVarchar(r.metric);
      appender.appendBigInt(BigInt(minute));
      appender.appendBigInt(BigInt(a.count));
      for (const v of [a.sum, a.min, a.max, a.sumSq]) appender.appendDouble(v);
      appender.appendDouble(a.first);
      appender.appendBigInt(BigInt(a.firstTs));
      appender.appendDouble(a.last);
      appender.appendBigInt(BigInt(a.lastTs));
      appender.endRow();
      rows++;
    }
    open = new Map();
  };
  for (const r of readings(devices, HISTORY_START, EVAL_START, 'history', injector)) {
    const w = r.ts - (r.ts % MINUTE_MS);
    if (w !== minute) {
      flush();
      minute = w;
    }
    const key = `${r.deviceId}|${r.metric}`;
    let entry = open.get(key);
    if (!entry) open.set(key, (entry = [r, emptyAggregate()]));
    addToAggregate(entry[1], r.ts, r.value);
  }
  flush();
  appender.closeSync();
  await db.run(`COPY v TO '${file}' (FORMAT parquet)`);
  db.closeSync();
  return rows;
}

/** An alert event and the stream's newest event time when the detector raised it: when it would be published. */
export type RaisedAlert = AlertEvent & { raisedAt: number };

/** How often (in event time) the stream is drained into the detector: the speed app's flush interval, about. */
const DRAIN_EVERY_MS = 1_000;

/**
 * Streams a day through the WindowEngine (watermark, lateness) into the detector as the speed app's scoring sink
 * does: each window once complete, each minute's windows together, and the open ones watched at every drain.
 */
export function detect(
  devices: readonly Device[],
  from: number,
  to: number,
  stream: string,
  detector: AnomalyDetector,
  injector?: AnomalyInjector,
): RaisedAlert[] {
  const engine = new WindowEngine({
    outOfOrdernessMs: DEFAULT_OUT_OF_ORDERNESS_MS,
    allowedLatenessMs: DEFAULT_ALLOWED_LATENESS_MS,
  });
  const events: RaisedAlert[] = [];
  let offset = 0;
  let lastDrain = from;
  let newest = from;
  const drain = (): void => {
    const updates = engine.drain().updates;
    const complete = updates.filter((u) => u.complete === true || u.final);
    const open = updates.filter((u) => !(u.complete === true || u.final));
    const raised = [
      ...detector.score(complete),
      ...(complete.length > 0
        ? detector.completeThrough(Math.max(...complete.map((u) => u.windowStart)))
        : []),
      ...detector.watch(open, engine.currentWatermark),
    ];
    for (const e of raised) events.push({ ...e, raisedAt: newest });
  };
  const feed = (r: Reading): void => {
    engine.add(offset, r);
    engine.markProcessed(offset++);
    newest = Math.max(newest, r.ts);
    if (r.ts - lastDrain >= DRAIN_EVERY_MS) {
      drain();
      lastDrain = r.ts;
    }
  };
  for (const r of readings(devices, from, to, stream, injector)) feed(r);
  // Readings keep flowing after the evaluated day, so its last windows complete too (the day after is clean).
  for (const r of readings(devices, to, to + 10 * MINUTE_MS, `${stream}:tail`)) feed(r);
  drain();
  return events;
}

/** The offset the injector adds to `l`'s series at `ts` (asked of the injector, which alone implements ramps). */
export function offsetAt(injector: AnomalyInjector, l: AnomalyLabel, ts: number): number {
  return injector.apply({ deviceId: l.deviceId, metric: l.metric, ts, value: 0 })?.value ?? 0;
}

/** What a detector with `config` raises on the labelled day, with `injector`'s anomalies. */
export function labelledDay(
  config: Readonly<DetectorConfig>,
  devices: readonly Device[],
  model: BaselineModel,
  injector: AnomalyInjector,
): RaisedAlert[] {
  const detector = new AnomalyDetector({ config, baseline: () => model });
  return detect(devices, EVAL_START, EVAL_START + DAY_MS, 'eval', detector, injector);
}

/** The labelled day's anomalies: the main evaluation's, or with `variant` (the sweep's drift-only ones). */
export function labelledInjector(
  devices: readonly Device[],
  variant?: Partial<AnomalyInjectorOptions>,
): AnomalyInjector {
  return new AnomalyInjector({
    seed: SEED,
    deviceIds: devices.map((d) => d.deviceId),
    metrics: METRICS,
    from: EVAL_START,
    to: EVAL_START + DAY_MS,
    perDevice: PER_DEVICE,
    ...variant,
  });
}
