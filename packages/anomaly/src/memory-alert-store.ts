// An in-process alert store: for the evaluation bench and tests, with the same upsert rules as the real ones.
import type { AlertEvent } from './alert-event';
import { eventRank, selectAlerts, type AlertQuery, type AlertStore } from './alert-store';

export class MemoryAlertStore implements AlertStore {
  readonly name = 'memory';
  private readonly byId = new Map<string, AlertEvent>();

  async upsert(events: readonly AlertEvent[]): Promise<void> {
    for (const e of events) {
      const cur = this.byId.get(e.id);
      if (cur === undefined || eventRank(cur) < eventRank(e)) this.byId.set(e.id, e);
    }
  }

  async query(q: AlertQuery): Promise<AlertEvent[]> {
    return selectAlerts(this.byId.values(), q);
  }
}
