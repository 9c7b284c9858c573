// The window updates one sink has not confirmed yet, newest state per window, so repeated changes coalesce.
import type { WindowUpdate } from './window-sink';

/**
 * A window changed twenty times between two writes is written once, with its latest state: what makes
 * writing the durable sink only at checkpoints cheap. A final state is never replaced by an early one.
 * Used by one serialized flusher: take, write, then confirm what was written.
 */
export class PendingWrites {
  private readonly byWindow = new Map<string, WindowUpdate>();
  private finals = 0;

  add(updates: readonly WindowUpdate[]): void {
    for (const u of updates) {
      const key = `${u.deviceId}|${u.metric}|${u.windowStart}`;
      const previous = this.byWindow.get(key);
      if (previous?.final) continue;
      if (u.final) this.finals++;
      this.byWindow.set(key, u);
    }
  }

  /** Everything unconfirmed, to write; stays pending until `confirm`. */
  take(): WindowUpdate[] {
    return [...this.byWindow.values()];
  }

  /** Drops the written updates, unless a newer state of the window arrived meanwhile. */
  confirm(written: readonly WindowUpdate[]): void {
    for (const u of written) {
      const key = `${u.deviceId}|${u.metric}|${u.windowStart}`;
      if (this.byWindow.get(key) !== u) continue;
      this.byWindow.delete(key);
      if (u.final) this.finals--;
    }
  }

  get size(): number {
    return this.byWindow.size;
  }

  /** Closed windows not yet in the sink: what the handler bounds while the sink is down. */
  get finalCount(): number {
    return this.finals;
  }
}
