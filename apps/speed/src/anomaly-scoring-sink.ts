// A hot window sink that scores each complete window against the baseline and publishes the alert events it causes.
import type {
  AlertEvent,
  AnomalyDetector,
  ScoreAt,
  OnlineBaselineChanges,
  OnlineBaselineSnapshot,
  OnlineBaselineStore,
} from '@lambda-iot/anomaly';
import type { WindowSink, WindowUpdate } from '@lambda-iot/speed-layer';

export interface AnomalyScoringSinkOptions {
  /** The partition's detector (which reads the current baseline itself). */
  detector: AnomalyDetector;
  publish: (events: readonly AlertEvent[]) => Promise<void>;
  onEvents?: (events: readonly AlertEvent[]) => void;
  /** Where the detector's online baselines are persisted; without one they live only as long as the process. */
  onlineStore?: OnlineBaselineStore;
  /**
   * When a window is scored: once `complete` (the watermark has passed its end; the default), or only once `final`
   * (past the allowed lateness too), which delays every alert by the lateness but scores stragglers as well.
   */
  scoreAt?: ScoreAt;
  /**
   * The speed layer's out-of-orderness: the partition's watermark is its newest event time less this, and the
   * detector judges silence against it. Default 0.
   */
  outOfOrdernessMs?: number;
}

/**
 * Runs as a hot sink, so the handler hands it every window within a flush interval of its completing (each
 * minute's windows together, which lets the detector judge silence at once), and commits past a window only
 * after this sink (and so the alert publication) succeeded: a crash can repeat an alert event (same id,
 * upserted) but never lose one. Events whose publication failed stay queued and are sent first on the next
 * write, since the windows that caused them are not scored again. A window still open at a crash is replayed
 * and scored again after the restart; the alert ids make that an upsert.
 * The online baselines those windows changed are saved after the events, and changes whose save failed are kept
 * and saved with the next write's: a failed save fails the write, so the handler never commits past a window
 * whose effect on the online baselines is not durable, and a restart resumes them instead of relearning.
 * Without a baseline loaded it still scores what needs none (out_of_range, stuck, gap): a fresh deployment is
 * watched from its first reading, before the first baseline fit.
 */
export class AnomalyScoringSink implements WindowSink {
  readonly name = 'anomaly';
  private pending: AlertEvent[] = [];
  /** The newest event time any window has shown: every applied reading makes its window part of a write. */
  private newest = Number.NEGATIVE_INFINITY;
  /** Online-baseline changes not yet saved, newest per series: a snapshot to write, or null to remove. */
  private readonly pendingOnline = new Map<string, OnlineBaselineSnapshot | null>();

  constructor(private readonly options: AnomalyScoringSinkOptions) {}

  async write(updates: readonly WindowUpdate[]): Promise<void> {
    for (const u of updates)
      if (u.aggregate.count > 0) this.newest = Math.max(this.newest, u.aggregate.lastTs);
    const watermark = this.newest - (this.options.outOfOrdernessMs ?? 0);
    this.pending.push(...this.options.detector.update(updates, watermark, this.options.scoreAt));
    await this.publishPending();
    await this.saveOnline();
  }

  private async publishPending(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    await this.options.publish(batch);
    this.pending = this.pending.slice(batch.length);
    this.options.onEvents?.(batch);
  }

  private async saveOnline(): Promise<void> {
    const store = this.options.onlineStore;
    if (store === undefined) return;
    const { saved, removed } = this.options.detector.takeOnlineChanges();
    for (const [key, snapshot] of saved) this.pendingOnline.set(key, snapshot);
    for (const key of removed) this.pendingOnline.set(key, null);
    if (this.pendingOnline.size === 0) return;
    const batch = new Map(this.pendingOnline);
    const changes: OnlineBaselineChanges = { saved: [], removed: [] };
    for (const [key, snapshot] of batch) {
      if (snapshot === null) changes.removed.push(key);
      else changes.saved.push([key, snapshot]);
    }
    await store.save(changes);
    // Only what this save wrote: a newer change queued meanwhile stays for the next write.
    for (const [key, snapshot] of batch)
      if (this.pendingOnline.get(key) === snapshot) this.pendingOnline.delete(key);
  }
}
