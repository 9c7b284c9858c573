// How the anomaly evaluation scores alerts against labelled anomalies: matching, delays and the table helpers.
import type { AlertEvent, AlertKind, DetectorConfig } from '@lambda-iot/anomaly';
import { MINUTE_MS } from '@lambda-iot/core';
import {
  EXPECTED_ALERT_KIND,
  scoreAlerts,
  type AnomalyLabel,
  type InjectedAnomalyKind,
} from '@lambda-iot/simulator';

/** The event-time target of issue 9: an alert within two minutes of the anomaly's start. */
export const TARGET_MS = 2 * MINUTE_MS;

export const EXPECTED: Readonly<Record<InjectedAnomalyKind, AlertKind>> = EXPECTED_ALERT_KIND;

/** A fast drift may first be raised as a spike: for the sweep, any alert on the drift tells someone. */
export const ANY_KIND = (): boolean => true;

/**
 * Event time at which an open event was raised: the stream's newest event time when the detector returned it
 * (what a live fleet's clock would read at its publication, less the flush interval), where the stream measured
 * it; else the earliest it could be, the end of its window, or for a gap the end of the silence.
 */
export function detectedAt(e: AlertEvent & { raisedAt?: number }, config: Readonly<DetectorConfig>): number {
  if (e.raisedAt !== undefined) return e.raisedAt;
  return e.kind === 'gap' ? e.openedAt + config.gapMinutes * MINUTE_MS : e.windowStart + MINUTE_MS;
}

/** The simulator's scoring (`scoreAlerts`: same series, from a minute before the start to 8 after the end), by the alerts' measured raise times. */
export function score(
  labels: readonly AnomalyLabel[],
  events: readonly AlertEvent[],
  config: Readonly<DetectorConfig>,
  matches?: (e: AlertEvent, l: AnomalyLabel) => boolean,
) {
  return scoreAlerts(labels, events, {
    raisedAt: (e) => detectedAt(e, config),
    ...(matches ? { matches } : {}),
  });
}

export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export const ascending = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
export const ratio = (a: number, b: number): string => (b === 0 ? 'n/a' : (a / b).toFixed(3));
export const sec = (ms: number): string => (Number.isFinite(ms) ? `${Math.round(ms / 1000)} s` : 'n/a');
