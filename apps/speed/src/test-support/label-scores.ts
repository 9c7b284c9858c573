// Scores the alerts of a labelled day against its injected anomalies, per injected kind, by the bench's rule.
import type { AlertEvent } from '@lambda-iot/anomaly';
import { MINUTE_MS } from '@lambda-iot/core';
import {
  INJECTED_ANOMALY_KINDS,
  scoreAlerts,
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
  const { byKind } = scoreAlerts(labels, opened, { raisedAt: (e) => e.windowStart + MINUTE_MS });
  const score = (kind: InjectedAnomalyKind): KindScore => {
    const s = byKind[kind] ?? { labels: 0, detected: 0, alerts: 0, truePositives: 0, delaysMs: [] };
    return {
      labels: s.labels,
      detected: s.detected,
      alerts: s.alerts,
      truePositives: s.truePositives,
      recall: s.labels === 0 ? Number.NaN : s.detected / s.labels,
      precision: s.alerts === 0 ? Number.NaN : s.truePositives / s.alerts,
      delaysMs: s.delaysMs,
    };
  };
  return Object.fromEntries(INJECTED_ANOMALY_KINDS.map((k) => [k, score(k)])) as Record<
    InjectedAnomalyKind,
    KindScore
  >;
}
