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
 * Keyed by series, one store per readings partition. `save` writes each saved snapshot unless the stored one is as
 * new or newer (see `newestWindow`) and deletes the removed ones: a save that failed (or whose outcome is unknown)
 * is simply repeated, and a consumer that lost the partition cannot roll back its new owner's snapshots by saving
 * late. A key never appears in both lists.
 */
export interface OnlineBaselineStore {
  readonly name: string;
  /** Every stored snapshot, by series key. */
  load(): Promise<Map<string, OnlineBaselineSnapshot>>;
  save(changes: OnlineBaselineChanges): Promise<void>;
}
