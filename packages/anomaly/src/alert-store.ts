// Where alert events are kept: one interface for the durable (Cassandra) and hot (Redis) stores.
import type { AlertEvent, AlertState } from './alert-event';

export type AlertStateFilter = AlertState | 'all';

export interface AlertQuery {
  /** Required by stores that partition by device (Cassandra); optional for the open-alert set (Redis). */
  deviceId?: string;
  /** Alerts opened in [from, to), epoch ms. */
  from: number;
  to: number;
  state: AlertStateFilter;
  limit?: number;
}

/**
 * Writes are idempotent upserts keyed by the alert id: writing an event twice (a replay after a crash) changes
 * nothing, and an `open` event arriving after the `resolved` one of the same alert never reopens it.
 */
export interface AlertStore {
  readonly name: string;
  upsert(events: readonly AlertEvent[]): Promise<void>;
  /** Latest state of each alert matching the query, ordered by openedAt then id. */
  query(q: AlertQuery): Promise<AlertEvent[]>;
}

/** Ordering of two states of the same alert: later windows win, and resolved wins over open at the same window. */
export function eventRank(e: Pick<AlertEvent, 'windowStart' | 'state'>): number {
  return e.windowStart * 2 + (e.state === 'resolved' ? 1 : 0);
}

export function compareAlerts(a: AlertEvent, b: AlertEvent): number {
  return a.openedAt - b.openedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The events a query asks for, in the order every store answers: one definition for every implementation. */
export function selectAlerts(events: Iterable<AlertEvent>, q: AlertQuery): AlertEvent[] {
  const out = [...events]
    .filter(
      (e) =>
        (q.deviceId === undefined || e.deviceId === q.deviceId) &&
        e.openedAt >= q.from &&
        e.openedAt < q.to &&
        (q.state === 'all' || e.state === q.state),
    )
    .sort(compareAlerts);
  return q.limit === undefined ? out : out.slice(0, q.limit);
}
