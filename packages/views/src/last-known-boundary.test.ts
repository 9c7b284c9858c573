import { LastKnownBoundary } from './last-known-boundary';
import type { BatchBoundaryReader } from './series-view';
import { ViewUnavailableError } from './view-errors';

class FlakyBoundary implements BatchBoundaryReader {
  value = 1_000;
  down = false;
  reads = 0;
  async readBoundary(): Promise<number> {
    this.reads++;
    if (this.down) throw new Error('connection refused');
    return this.value;
  }
}

describe('LastKnownBoundary', () => {
  it('answers the store’s B while the store answers, and the last B read while it is down', async () => {
    const store = new FlakyBoundary();
    const stale: unknown[] = [];
    const boundary = new LastKnownBoundary(store, { onStale: (err) => stale.push(err) });
    expect(await boundary.readBoundary()).toBe(1_000);
    store.value = 2_000;
    expect(await boundary.readBoundary()).toBe(2_000);
    store.down = true;
    store.value = 3_000;
    expect(await boundary.readBoundary()).toBe(2_000);
    expect(stale).toHaveLength(1);
    store.down = false;
    expect(await boundary.readBoundary()).toBe(3_000);
  });

  it('fails with a retriable ViewUnavailableError when the store was never read', async () => {
    const store = new FlakyBoundary();
    store.down = true;
    const err = await new LastKnownBoundary(store).readBoundary().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ViewUnavailableError);
    expect((err as ViewUnavailableError).retriable).toBe(true);
  });

  it('shares one store read among concurrent requests', async () => {
    const store = new FlakyBoundary();
    const boundary = new LastKnownBoundary(store);
    expect(await Promise.all([1, 2, 3].map(() => boundary.readBoundary()))).toEqual([1_000, 1_000, 1_000]);
    expect(store.reads).toBe(1);
  });
});
