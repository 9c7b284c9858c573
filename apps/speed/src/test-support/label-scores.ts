// Scores the alerts of a labelled day against its injected anomalies, per injected kind, by the bench's matching rule.
import type { AlertEvent } from '@lambda-iot/anomaly';
import { MINUTE_MS } from '@lambda-iot/core';
import {
  EXPECTED_ALERT_KIND,
  INJECTED_ANOMALY_KINDS,
  overlapsLabel,
  type AnomalyLabel,
  type InjectedAnomalyKind,
} from '@lambda-iot/simulator';

export interface KindScore {
  labels: number;
  /** Labels with an alert of their expected kind overlapping them (`overlapsLabel`). */
  detected: number;
  /** Alerts of the kind's expected alert kind (a dropout's: gap). */
  alerts: number;
  /** Those of them that overlap a label of the kind. */
  truePositives: number;
  recall: number;
  precision: number;
  /**
   * Per detected label: from its start to the end of the window its first matching alert opened in (event time;
   * the app has raised an alert by the time its partition's watermark passes the end of the alert's window).
   */
  delaysMs: number[];
}

export function labelScores(
  labels: readonly AnomalyLabel[],
  opened: readonly AlertEvent[],
): Record<InjectedAnomalyKind, KindScore> {
  const score = (kind: InjectedAnomalyKind): KindScore => {
    const ofKind = labels.filter((l) => l.kind === kind);
    const alerts = opened.filter((e) => e.kind === EXPECTED_ALERT_KIND[kind]);
    const delaysMs: number[] = [];
    for (const l of ofKind) {
      const hits = alerts.filter((e) => overlapsLabel(e, l)).map((e) => e.windowStart);
      if (hits.length > 0) delaysMs.push(Math.min(...hits) + MINUTE_MS - l.start);
    }
    const truePositives = alerts.filter((e) => ofKind.some((l) => overlapsLabel(e, l))).length;
    return {
      labels: ofKind.length,
      detected: delaysMs.length,
      alerts: alerts.length,
      truePositives,
      recall: ofKind.length === 0 ? Number.NaN : delaysMs.length / ofKind.length,
      precision: alerts.length === 0 ? Number.NaN : truePositives / alerts.length,
      delaysMs,
    };
  };
  return Object.fromEntries(INJECTED_ANOMALY_KINDS.map((k) => [k, score(k)])) as Record<
    InjectedAnomalyKind,
    KindScore
  >;
}
