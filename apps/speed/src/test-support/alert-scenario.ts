// Baselines and readings for alert tests: flat baselines, and two devices reporting six readings a minute.
import { BASELINE_FORMAT, type BaselineModel } from '@lambda-iot/anomaly';
import { CONTENT_TYPE_HEADER, encodeEnvelope, JSON_CONTENT_TYPE, MINUTE_MS } from '@lambda-iot/core';
import type { ScenarioMessage } from './reading-scenario';

/** `median` ± 0.74 (MAD 0.5) for every hour of the day, for each of `seriesIds` ("device|metric"). */
export function flatBaseline(
  version: string,
  fittedAt: number,
  median: number,
  seriesIds: readonly string[],
): BaselineModel {
  const stats = { median, mad: 0.5, n: 1_000 };
  return {
    format: BASELINE_FORMAT,
    version,
    fittedAt,
    from: fittedAt - 86_400_000,
    to: fittedAt,
    params: { days: 1, minSamples: 30 },
    series: Object.fromEntries(
      seriesIds.map((id) => [id, { hours: Array.from({ length: 24 }, () => stats), overall: stats }]),
    ),
    types: {},
    deviceTypes: {},
  };
}

/**
 * Minute `m` after `t0` of `temp` on d1 (at `d1Value`) and d2 (always 20): six readings each, ±0.1 noise. With
 * `only`, just that device's message, at `d1Value`.
 */
export function twoDeviceMinute(
  t0: number,
  m: number,
  d1Value: number,
  only?: 'd1' | 'd2',
): ScenarioMessage[] {
  return (only === undefined ? ['d1', 'd2'] : [only]).map((deviceId) => ({
    partition: 0,
    message: {
      key: deviceId,
      headers: { [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE },
      value: encodeEnvelope({
        deviceId,
        readings: Array.from({ length: 6 }, (_, i) => ({
          metric: 'temp',
          ts: t0 + m * MINUTE_MS + i * 10_000,
          value: (deviceId === 'd1' || only !== undefined ? d1Value : 20) + (i % 2 === 0 ? 0.1 : -0.1),
        })),
      }),
    },
  }));
}
