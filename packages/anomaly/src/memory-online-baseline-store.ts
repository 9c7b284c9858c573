// An in-process online-baseline store: for tests and the evaluation bench, with the real store's semantics.
import { newestWindow, type OnlineBaselineSnapshot } from './online-baseline';
import type { OnlineBaselineChanges, OnlineBaselineStore } from './online-baseline-store';

/** Copies in and out, as a real store serialises: a caller mutating a snapshot never changes what is stored. */
export class MemoryOnlineBaselineStore implements OnlineBaselineStore {
  readonly name = 'memory';
  private readonly byKey = new Map<string, OnlineBaselineSnapshot>();

  async load(): Promise<Map<string, OnlineBaselineSnapshot>> {
    return new Map([...this.byKey].map(([key, s]) => [key, copy(s)]));
  }

  async save(changes: OnlineBaselineChanges): Promise<void> {
    for (const [key, s] of changes.saved) {
      const stored = this.byKey.get(key);
      if (stored === undefined || newestWindow(stored) < newestWindow(s)) this.byKey.set(key, copy(s));
    }
    for (const key of changes.removed) this.byKey.delete(key);
  }
}

function copy(s: OnlineBaselineSnapshot): OnlineBaselineSnapshot {
  return { times: [...s.times], means: [...s.means] };
}
