// Sends alert events everywhere they go: the `alerts` topic and every alert store, all or (retriably) nothing.
import { isLambdaIotError } from '@lambda-iot/core';
import type { AlertEvent } from './alert-event';
import type { AlertStore } from './alert-store';
import { AlertStoreError } from './errors';

export interface AlertPublisherOptions {
  /** Produces to Kafka topic `alerts` (key = deviceId); resolves once acknowledged. */
  produce: (events: readonly AlertEvent[]) => Promise<void>;
  stores: readonly AlertStore[];
}

/**
 * Every target is an idempotent upsert keyed by the alert id (Kafka consumers dedupe on id + state), so a
 * publish that failed halfway is simply repeated in full.
 */
export class AlertPublisher {
  constructor(private readonly options: AlertPublisherOptions) {}

  async publish(events: readonly AlertEvent[]): Promise<void> {
    if (events.length === 0) return;
    const results = await Promise.allSettled([
      this.options.produce(events).catch((err: unknown) => {
        // Producer failures (broker down, timeouts) pass; the whole publish is repeated.
        throw isLambdaIotError(err)
          ? err
          : new AlertStoreError('kafka', err instanceof Error ? err.message : String(err), {
              retriable: true,
              cause: err,
            });
      }),
      ...this.options.stores.map((s) => s.upsert(events)),
    ]);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }
}

/** The Kafka record of an alert event: keyed by device so a device's alerts stay in order. */
export function alertRecord(e: AlertEvent): { key: string; value: string } {
  return { key: e.deviceId, value: JSON.stringify(e) };
}
