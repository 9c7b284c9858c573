// Scores the alerts raised on a labelled stretch against its injected anomalies: per injected kind, which labels were detected, how soon, and which alerts were right.
import type { AnomalyLabel, InjectedAnomalyKind } from './anomaly-injector';
import { EXPECTED_ALERT_KIND, overlapsLabel } from './overlaps-label';

/** An alert as scoring needs it (the anomaly package's AlertEvent has these fields). */
export interface ScoredAlert {
  id: string;
  kind: string;
  state: string;
  deviceId: string;
  metric: string;
  openedAt: number;
}

export interface LabelKindScore<A extends ScoredAlert> {
  /** Each detected label with its first matching alert (by `raisedAt`) and the delay from the label's start. */
  hits: Array<AnomalyLabel & { alertId: string; alertKind: A['kind']; openedAt: number; delayMs: number }>;
  labels: number;
  detected: number;
  /** Alerts of the kind's expected alert kind (a dropout's: gap). */
  alerts: number;
  /** Those of them that overlap a label of the kind. */
  truePositives: number;
  delaysMs: number[];
}

export interface LabelScoringOptions<A extends ScoredAlert> {
  /** When the alert was raised (event time). */
  raisedAt: (alert: A) => number;
  /** Which alerts detect a label besides overlapping it; by default only those of its expected kind. */
  matches?: (alert: A, label: AnomalyLabel) => boolean;
}

export interface LabelScores<A extends ScoredAlert> {
  byKind: Partial<Record<InjectedAnomalyKind, LabelKindScore<A>>>;
  /** Alerts of a scored kind that overlap only labels of another kind, counted by alert kind, and listed. */
  crossKind: Record<string, number>;
  crossKindAlerts: string[];
  missed: AnomalyLabel[];
  /** Alerts overlapping no label at all. */
  unexplained: A[];
}

/** Scores the `open` alerts among `alerts` against `labels`, by the simulator's matching rule (`overlapsLabel`). */
export function scoreAlerts<A extends ScoredAlert>(
  labels: readonly AnomalyLabel[],
  alerts: readonly A[],
  options: LabelScoringOptions<A>,
): LabelScores<A> {
  const { raisedAt } = options;
  const matches = options.matches ?? ((e: A, l: AnomalyLabel) => e.kind === EXPECTED_ALERT_KIND[l.kind]);
  const opened = alerts.filter((e) => e.state === 'open');
  const byKind: Partial<Record<InjectedAnomalyKind, LabelKindScore<A>>> = {};
  const missed: AnomalyLabel[] = [];
  const entry = (k: InjectedAnomalyKind): LabelKindScore<A> =>
    (byKind[k] ??= { hits: [], labels: 0, detected: 0, alerts: 0, truePositives: 0, delaysMs: [] });
  for (const l of labels) {
    const s = entry(l.kind);
    s.labels++;
    const hits = opened.filter((e) => matches(e, l) && overlapsLabel(e, l));
    if (hits.length > 0) {
      s.detected++;
      const first = hits.reduce((a, b) => (raisedAt(b) < raisedAt(a) ? b : a));
      const delayMs = raisedAt(first) - l.start;
      s.delaysMs.push(delayMs);
      s.hits.push({ ...l, alertId: first.id, alertKind: first.kind, openedAt: first.openedAt, delayMs });
    } else missed.push(l);
  }
  const unexplained: A[] = [];
  const crossKind: Record<string, number> = {};
  const crossKindAlerts: string[] = [];
  const kinds = Object.keys(EXPECTED_ALERT_KIND) as InjectedAnomalyKind[];
  for (const e of opened) {
    const injected = kinds.find((k) => EXPECTED_ALERT_KIND[k] === e.kind);
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
