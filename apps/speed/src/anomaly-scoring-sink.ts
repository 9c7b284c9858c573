// A hot window sink that scores each closed window against the baseline and publishes the alert events it causes.
import type { AlertEvent, AnomalyDetector, BaselineModel } from '@lambda-iot/anomaly';
import type { WindowSink, WindowUpdate } from '@lambda-iot/speed-layer';

export interface AnomalyScoringSinkOptions {
  /** The partition's detector. */
  detector: AnomalyDetector;
  baseline: () => BaselineModel | undefined;
  publish: (events: readonly AlertEvent[]) => Promise<void>;
  onEvents?: (events: readonly AlertEvent[]) => void;
}

/**
 * Runs as a hot sink, so the handler hands it every closed window once, within a flush interval of closing, and
 * commits past a window only after this sink (and so the alert publication) succeeded: a crash can repeat an
 * alert event (same id, upserted) but never lose one. Events whose publication failed stay queued and are sent
 * first on the next write, since the windows that caused them are not scored again.
 * Without a baseline loaded it returns at once: the speed layer's hot path is unaffected.
 */
export class AnomalyScoringSink implements WindowSink {
  readonly name = 'anomaly';
  private pending: AlertEvent[] = [];

  constructor(private readonly options: AnomalyScoringSinkOptions) {}

  async write(updates: readonly WindowUpdate[]): Promise<void> {
    if (this.options.baseline() === undefined && this.pending.length === 0) return;
    const closed = updates.filter((u) => u.final);
    if (closed.length > 0) this.pending.push(...this.options.detector.score(closed));
    if (this.pending.length === 0) return;
    const batch = this.pending;
    await this.options.publish(batch);
    this.pending = this.pending.slice(batch.length);
    this.options.onEvents?.(batch);
  }
}
