// The alert state machine per (deviceId, metric, kind): open on first detection, hold while it persists, resolve after R clean windows.
import { MINUTE_MS } from '@lambda-iot/core';
import { alertId, type AlertEvent, type AlertKind } from './alert-event';

/** What one window says about one rule: detected (with its evidence), clean, or nothing either way. */
export type Verdict =
  | { kind: 'detected'; score: number; value: number; baselineVersion: string }
  | { kind: 'clean' }
  | { kind: 'neutral' };

interface OpenAlert {
  event: AlertEvent;
  clean: number;
}

export class AlertTracker {
  private readonly open = new Map<string, OpenAlert>();

  constructor(private readonly resolveWindows: number) {}

  /**
   * Feeds one window's verdict for one rule of one series; returns the event it causes, if any. A detection
   * while open resets the clean count, so an intermittent anomaly stays one alert. Windows before the one that
   * opened the alert say nothing about it: after a restart they are replayed (the committed offset may lie before
   * the alert's window) and, counted as clean, would resolve a restored alert that is still going on.
   */
  observe(
    deviceId: string,
    metric: string,
    kind: AlertKind,
    windowStart: number,
    verdict: Verdict,
  ): AlertEvent | undefined {
    const key = `${deviceId}|${metric}|${kind}`;
    const current = this.open.get(key);
    if (current && windowStart < current.event.openedAt) return undefined;
    if (verdict.kind === 'detected') {
      if (current) {
        current.clean = 0;
        return undefined;
      }
      const event: AlertEvent = {
        id: alertId(deviceId, metric, kind, windowStart),
        deviceId,
        metric,
        kind,
        state: 'open',
        openedAt: windowStart,
        windowStart,
        score: verdict.score,
        value: verdict.value,
        baselineVersion: verdict.baselineVersion,
      };
      this.open.set(key, { event, clean: 0 });
      return event;
    }
    if (verdict.kind === 'neutral' || !current) return undefined;
    if (++current.clean < this.resolveWindows) return undefined;
    this.open.delete(key);
    return {
      ...current.event,
      state: 'resolved',
      resolvedAt: windowStart + MINUTE_MS,
      windowStart,
    };
  }

  isOpen(deviceId: string, metric: string, kind: AlertKind): boolean {
    return this.open.has(`${deviceId}|${metric}|${kind}`);
  }

  /** Re-adopts alerts that were open before a restart, so a persisting anomaly keeps its id. */
  restore(events: Iterable<AlertEvent>): void {
    for (const e of events) {
      if (e.state !== 'open') continue;
      this.open.set(`${e.deviceId}|${e.metric}|${e.kind}`, { event: e, clean: 0 });
    }
  }

  openAlerts(): AlertEvent[] {
    return [...this.open.values()].map((o) => o.event);
  }
}
