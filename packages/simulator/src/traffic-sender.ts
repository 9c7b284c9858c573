// The contract every transport's sender fulfils, and the tally each keeps of what it delivered.
import type { TrafficItem } from './traffic-generator';

export interface SendReport {
  /** Envelopes the receiver acknowledged. */
  envelopes: number;
  readings: number;
  /** Malformed records handed to the receiver (which must refuse them). */
  malformed: number;
  /** Retries after 429/503 or a transport error. */
  retries: number;
  /** HTTP statuses seen, for the HTTP sender. */
  statuses: Record<string, number>;
}

export interface TrafficSender {
  /** Resolves once the item is on its way (bounded in flight), not when it is acknowledged. */
  send(item: TrafficItem): Promise<void>;
  /** Resolves when everything sent so far is acknowledged; rejects with the first delivery failure. */
  flush(): Promise<void>;
  /** Flushes, then releases what the sender itself opened. */
  close(): Promise<void>;
  readonly report: SendReport;
}

export function emptyReport(): SendReport {
  return { envelopes: 0, readings: 0, malformed: 0, retries: 0, statuses: {} };
}
