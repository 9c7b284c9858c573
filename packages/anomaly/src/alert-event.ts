// An alert event as produced to `alerts`, stored in Cassandra and kept hot in Redis.

export const ALERT_KINDS = ['spike', 'drift', 'stuck', 'gap', 'out_of_range'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export type AlertState = 'open' | 'resolved';

export interface AlertEvent {
  /** `deviceId|metric|kind|openedAt`: a replay that opens the same alert produces the same id. */
  id: string;
  deviceId: string;
  metric: string;
  kind: AlertKind;
  state: AlertState;
  /** Start of the window the alert opened at, epoch ms (event time, so replays agree). */
  openedAt: number;
  /** End of the last clean window that resolved it, epoch ms. */
  resolvedAt?: number;
  /** Start of the window that produced this event. */
  windowStart: number;
  /** Robust z (spike, drift), consecutive windows (stuck), silent minutes (gap), the offending value (out_of_range). */
  score: number;
  /** The window's mean (spike, drift, stuck, gap: last seen mean) or the offending extreme (out_of_range). */
  value: number;
  /** Baseline the series was scored against; '' for rules that need none. */
  baselineVersion: string;
}

export function alertId(deviceId: string, metric: string, kind: AlertKind, openedAt: number): string {
  return `${deviceId}|${metric}|${kind}|${openedAt}`;
}

export function isAlertKind(value: unknown): value is AlertKind {
  return typeof value === 'string' && (ALERT_KINDS as readonly string[]).includes(value);
}
