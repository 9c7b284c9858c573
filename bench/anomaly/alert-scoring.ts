// How the anomaly evaluation scores alerts against labelled anomalies: matching, delays and the table helpers.
import type { AlertEvent, AlertKind, DetectorConfig } from '@lambda-iot/anomaly';
import { MINUTE_MS } from '@lambda-iot/core';
import {
  EXPECTED_ALERT_KIND,
  overlapsLabel,
  type AnomalyLabel,
  type InjectedAnomalyKind,
} from '@lambda-iot/simulator';

/** The event-time target of issue 9: an alert within two minutes of the anomaly's start. */
export const TARGET_MS = 2 * MINUTE_MS;

export const EXPECTED: Readonly<Record<InjectedAnomalyKind, AlertKind>> = EXPECTED_ALERT_KIND;

/**
 * Which alerts detect a label besides overlapping it (the simulator's `overlapsLabel`: same series, opened from one
 * minute before its start to 8 minutes after its end, one rule for every configuration): by default only its own
 * kind's.
 */
type Matches = (e: AlertEvent, l: AnomalyLabel) => boolean;
const SAME_KIND: Matches = (e, l) => e.kind === EXPECTED[l.kind];
/** A fast drift may first be raised as a spike: for the sweep, any alert on the drift tells someone. */
export const ANY_KIND: Matches = () => true;

interface KindScore {
  /** Each detected label with the delay of its first matching alert. */
  hits: Array<AnomalyLabel & { alertId: string; alertKind: AlertKind; openedAt: number; delayMs: number }>;
  labels: number;
  detected: number;
  alerts: number;
  truePositives: number;
  delaysMs: number[];
}

/**
 * Event time at which an open event was raised: the stream's newest event time when the detector returned it
 * (what a live fleet's clock would read at its publication, less the flush interval), where the stream measured
 * it; else the earliest it could be, the end of its window, or for a gap the end of the silence.
 */
export function detectedAt(e: AlertEvent & { raisedAt?: number }, config: Readonly<DetectorConfig>): number {
  if (e.raisedAt !== undefined) return e.raisedAt;
  return e.kind === 'gap' ? e.openedAt + config.gapMinutes * MINUTE_MS : e.windowStart + MINUTE_MS;
}

export function score(
  labels: readonly AnomalyLabel[],
  events: readonly AlertEvent[],
  config: Readonly<DetectorConfig>,
  matches: Matches = SAME_KIND,
) {
  const opened = events.filter((e) => e.state === 'open');
  const byKind: Record<string, KindScore> = {};
  const missed: AnomalyLabel[] = [];
  const entry = (k: string): KindScore =>
    (byKind[k] ??= { hits: [], labels: 0, detected: 0, alerts: 0, truePositives: 0, delaysMs: [] });
  for (const l of labels) {
    const s = entry(l.kind);
    s.labels++;
    const hits = opened.filter((e) => matches(e, l) && overlapsLabel(e, l));
    if (hits.length > 0) {
      s.detected++;
      const first = hits.reduce((a, b) => (detectedAt(b, config) < detectedAt(a, config) ? b : a));
      s.delaysMs.push(detectedAt(first, config) - l.start);
      s.hits.push({
        ...l,
        alertId: first.id,
        alertKind: first.kind,
        openedAt: first.openedAt,
        delayMs: detectedAt(first, config) - l.start,
      });
    } else missed.push(l);
  }
  const unexplained: AlertEvent[] = [];
  const crossKind: Record<string, number> = {};
  const crossKindAlerts: string[] = [];
  for (const e of opened) {
    const injected = (Object.keys(EXPECTED) as InjectedAnomalyKind[]).find((k) => EXPECTED[k] === e.kind);
    if (injected) entry(injected).alerts++;
    if (injected && labels.some((l) => l.kind === injected && overlapsLabel(e, l)))
      entry(injected).truePositives++;
    else if (labels.some((l) => overlapsLabel(e, l))) {
      crossKind[e.kind] = (crossKind[e.kind] ?? 0) + 1;
      const l = labels.find((x) => overlapsLabel(e, x))!;
      crossKindAlerts.push(`${e.id} on injected ${l.kind} ${l.deviceId}|${l.metric}@${l.start}`);
    } else unexplained.push(e);
  }
  return { byKind, crossKind, crossKindAlerts, missed, unexplained };
}

export function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export const ascending = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
export const ratio = (a: number, b: number): string => (b === 0 ? 'n/a' : (a / b).toFixed(3));
export const sec = (ms: number): string => (Number.isFinite(ms) ? `${Math.round(ms / 1000)} s` : 'n/a');
