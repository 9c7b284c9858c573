// Every simulated device's metrics once per period over an event-time span, optionally through an anomaly injector.
import type { Reading } from '@lambda-iot/core';
import type { AnomalyInjector } from './anomaly-injector';
import { metricValue, type MetricName } from './metric-models';
import { prngFor, type Prng } from './prng';
import type { SimulatedDevice } from './simulated-device';

export interface PeriodicReadingsOptions {
  devices: readonly SimulatedDevice[];
  /** Device d reports at t + d.offset for each period start t = from + k × periodMs in [from, to). */
  from: number;
  to: number;
  seed: number;
  /**
   * Names the noise streams: the same (seed, stream) gives the same values, another stream independent ones (so a
   * day and its history, or two evaluated days, do not repeat each other's noise).
   */
  stream: string;
  metrics: readonly MetricName[];
  periodMs: number;
  /** Applied to each reading; a reading it swallows (a dropout) is not yielded. */
  injector?: AnomalyInjector;
}

/**
 * Readings in event-time order: period by period, devices by sampling offset (ties in the given order), each
 * device's metrics in the given order at the same timestamp.
 */
export function* periodicReadings(options: PeriodicReadingsOptions): Generator<Reading> {
  const { from, to, seed, stream, metrics, periodMs, injector } = options;
  if (!(periodMs > 0)) throw new RangeError(`periodMs must be positive, got ${periodMs}`);
  for (const d of options.devices)
    if (!(d.offset >= 0 && d.offset < periodMs))
      throw new RangeError(`${d.deviceId}: offset ${d.offset} is not inside the period of ${periodMs} ms`);
  const devices = [...options.devices].sort((a, b) => a.offset - b.offset);
  const rngs = new Map<string, Prng>(
    devices.map((d) => [d.deviceId, prngFor(seed, `${stream}:${d.deviceId}`)]),
  );
  for (let t = from; t < to; t += periodMs)
    for (const d of devices) {
      const ts = t + d.offset;
      const rng = rngs.get(d.deviceId)!;
      for (const metric of metrics) {
        const r: Reading = {
          deviceId: d.deviceId,
          metric,
          ts,
          value: metricValue(metric, ts, d.profile, rng),
        };
        const out = injector ? injector.apply(r) : r;
        if (out) yield out;
      }
    }
}
