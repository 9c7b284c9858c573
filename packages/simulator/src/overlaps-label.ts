// When an alert detects an injected anomaly: the alert kind each injected kind should raise, and when it must open.
import { MINUTE_MS } from '@lambda-iot/core';
import type { AnomalyLabel, InjectedAnomalyKind } from './anomaly-injector';

/** The alert kind (as @lambda-iot/anomaly names them) that detects each injected kind: a dropout is a gap. */
export const EXPECTED_ALERT_KIND = Object.freeze({
  spike: 'spike',
  drift: 'drift',
  stuck: 'stuck',
  dropout: 'gap',
} as const satisfies Record<InjectedAnomalyKind, string>);

/**
 * How long after a label's end an alert opening still matches it. Fixed, so that every detector configuration is
 * scored by the same rule (8 minutes was resolve windows + gap minutes of the first shipped configuration; a lower
 * gap setting must not narrow it).
 */
export const LABEL_MATCH_SLACK_MS = 8 * MINUTE_MS;

/**
 * An alert overlaps a label when it is on the label's series and opens between one minute before the label's
 * start (a window holding the start may open a little before it) and LABEL_MATCH_SLACK_MS after its end.
 */
export function overlapsLabel(
  alert: { deviceId: string; metric: string; openedAt: number },
  label: AnomalyLabel,
): boolean {
  return (
    alert.deviceId === label.deviceId &&
    alert.metric === label.metric &&
    alert.openedAt >= label.start - MINUTE_MS &&
    alert.openedAt < label.end + LABEL_MATCH_SLACK_MS
  );
}
