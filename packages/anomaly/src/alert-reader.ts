// Answers alert queries: one device's alerts from the durable store, every device's open alerts from the hot set.
import { ValidationError } from '@lambda-iot/core';
import type { AlertEvent } from './alert-event';
import type { AlertQuery, AlertStore } from './alert-store';

export interface AlertReaderOptions {
  /** Partitioned by device (Cassandra): complete history per device. */
  durable: AlertStore;
  /** Holds every open alert and recent resolved ones (Redis): answers fleet-wide open-alert lists. */
  hot: AlertStore;
}

export class AlertReader {
  constructor(private readonly options: AlertReaderOptions) {}

  /**
   * With a device: the durable store. Without: open alerts only,
   * since listing resolved alerts of every device would scan every Cassandra partition.
   */
  async query(q: AlertQuery): Promise<AlertEvent[]> {
    if (q.deviceId === undefined) {
      if (q.state !== 'open') throw new ValidationError('deviceId is required unless state=open');
      return this.options.hot.query(q);
    }
    return this.options.durable.query(q);
  }
}
