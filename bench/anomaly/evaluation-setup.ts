// The anomaly evaluation's simulated world: the fleet's settings, its readings, its history as batch-view files, and the detector streamed over a day.
import {
  AnomalyDetector,
  parseMetricRules,
  SIMULATED_METRIC_RULES,
  type AlertEvent,
  type BaselineModel,
  type DetectorConfig,
} from '@lambda-iot/anomaly';
import { DAY_MS, MINUTE_MS, type Reading } from '@lambda-iot/core';
import {
  AnomalyInjector,
  periodicReadings,
  type AnomalyInjectorOptions,
  type AnomalyLabel,
  type MetricName,
  type SimulatedDevice,
} from '@lambda-iot/simulator';
import {
  DEFAULT_ALLOWED_LATENESS_MS,
  DEFAULT_OUT_OF_ORDERNESS_MS,
  WindowEngine,
} from '@lambda-iot/speed-layer';
import { writeMinuteViewFile } from '@lambda-iot/testkit';

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
export const SHIPPED: Partial<DetectorConfig> = { metrics: parseMetricRules(SIMULATED_METRIC_RULES) };

/** A device of the evaluated fleet (the simulator's). */
export type Device = SimulatedDevice;

/** Readings of every device and metric in [from, to), in event-time order, through the injector. */
export function readings(
  devices: readonly Device[],
  from: number,
  to: number,
  stream: string,
  injector?: AnomalyInjector,
): Generator<Reading> {
  return periodicReadings({
    devices,
    from,
    to,
    seed: SEED,
    stream,
    metrics: METRICS,
    periodMs: SAMPLE_MS,
    ...(injector ? { injector } : {}),
  });
}

/** History as the batch view holds it: 1-minute aggregates in a Parquet file with the batch view's columns. */
export function writeHistory(
  devices: readonly Device[],
  injector: AnomalyInjector,
  file: string,
): Promise<number> {
  return writeMinuteViewFile(readings(devices, HISTORY_START, EVAL_START, 'history', injector), file);
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
    for (const e of detector.update(engine.drain().updates, engine.currentWatermark))
      events.push({ ...e, raisedAt: newest });
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
