// Where the online baselines of series without history are kept, so they survive restarts and partition moves.
import type { OnlineBaselineSnapshot } from './online-baseline';

/** What changed since the last save: snapshots to write, and series whose online baseline is gone. */
export interface OnlineBaselineChanges {
  /** Series key (`deviceId|metric`) and its current snapshot. */
  saved: Array<[string, OnlineBaselineSnapshot]>;
  /** Series keys whose entry goes (the batch baseline covers the series now). */
  removed: string[];
}

/**
 * Keyed by series; `save` is an idempotent overwrite of the saved entries and delete of the removed ones, so a
 * save that failed (or whose outcome is unknown) is simply repeated. A key never appears in both lists.
 */
export interface OnlineBaselineStore {
  readonly name: string;
  /** Every stored snapshot, by series key. */
  load(): Promise<Map<string, OnlineBaselineSnapshot>>;
  save(changes: OnlineBaselineChanges): Promise<void>;
}
