// A simulated fleet's baseline as the batch job would fit it: history with anomalies, as batch-view files, fitted.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaselineFitter, newBaselineVersion, type BaselineModel } from '@lambda-iot/anomaly';
import { DAY_MS } from '@lambda-iot/core';
import {
  AnomalyInjector,
  periodicReadings,
  type MetricName,
  type SimulatedDevice,
} from '@lambda-iot/simulator';
import { writeMinuteViewFile } from '@lambda-iot/testkit';

export interface FleetBaselineOptions {
  /** Every device the registry knows (their types make the pools). */
  devices: readonly SimulatedDevice[];
  /** The devices that have history; the others are known only by their type. */
  withHistory: readonly SimulatedDevice[];
  seed: number;
  metrics: readonly MetricName[];
  periodMs: number;
  /** Whole days of history before `to`, the fit's time. */
  days: number;
  to: number;
}

/**
 * As in bench/anomaly, the history carries one anomaly a day per device (injected with seed + 1): the robust fit
 * must not learn them as normal.
 */
export async function fitFleetBaseline(options: FleetBaselineOptions): Promise<BaselineModel> {
  const { withHistory, seed, metrics, periodMs, days, to } = options;
  const from = to - days * DAY_MS;
  const injector = new AnomalyInjector({
    seed: seed + 1,
    deviceIds: withHistory.map((d) => d.deviceId),
    metrics,
    from,
    to,
    perDevice: days,
  });
  const dir = await mkdtemp(join(tmpdir(), 'fleet-baseline-'));
  const fitter = new BaselineFitter({ threads: 2 });
  try {
    const file = join(dir, 'history-1m.parquet');
    const readings = periodicReadings({
      devices: withHistory,
      from,
      to,
      seed,
      stream: 'history',
      metrics,
      periodMs,
      injector,
    });
    await writeMinuteViewFile(readings, file);
    return await fitter.fit({
      files: [file],
      version: newBaselineVersion(to),
      fittedAt: to,
      from,
      to,
      days,
      minSamples: 30,
      deviceTypes: new Map(options.devices.map((d) => [d.deviceId, d.type])),
    });
  } finally {
    await fitter.close();
    await rm(dir, { recursive: true, force: true });
  }
}
