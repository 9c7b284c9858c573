// The batch boundary as last read: concurrent requests share one store read, and a store outage keeps the last B.
import type { BatchBoundaryReader } from './series-view';
import { ViewUnavailableError } from './view-errors';

export interface LastKnownBoundaryOptions {
  /** Told about every read that failed and was answered with the last known B. */
  onStale?: (err: unknown) => void;
}

/**
 * Answering with the last B read while the store is down is safe for the merge: each answer still uses one B
 * for all of its reads, and windows below any B that was ever published stay answerable by the batch view
 * (published versions are only retired after they were replaced). Before a first successful read there is
 * nothing to fall back to, and the read fails with a retriable ViewUnavailableError.
 */
export class LastKnownBoundary implements BatchBoundaryReader {
  private last: number | undefined;
  private inFlight: Promise<number> | undefined;

  constructor(
    private readonly store: BatchBoundaryReader,
    private readonly options: LastKnownBoundaryOptions = {},
  ) {}

  /** The B of the last successful read, if any. */
  get lastKnown(): number | undefined {
    return this.last;
  }

  readBoundary(): Promise<number> {
    // Requests arriving while a read is in flight share its answer: at most one round trip older than a read
    // of their own, and one store round trip serves them all.
    this.inFlight ??= this.read().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async read(): Promise<number> {
    try {
      const b = await this.store.readBoundary();
      this.last = b;
      return b;
    } catch (err) {
      if (this.last === undefined) throw new ViewUnavailableError('the batch boundary', err);
      this.options.onStale?.(err);
      return this.last;
    }
  }
}
