import { aggregateOf } from '@lambda-iot/core';
import { PendingWrites } from './pending-writes';
import type { WindowUpdate } from './window-sink';

function u(windowStart: number, count: number, final = false): WindowUpdate {
  const readings = Array.from({ length: count }, (_, i) => ({ ts: windowStart + i, value: i }));
  return { deviceId: 'd', metric: 'm', windowStart, aggregate: aggregateOf(readings), final };
}

describe('PendingWrites', () => {
  it('keeps only the newest state of each window', () => {
    const p = new PendingWrites();
    p.add([u(0, 1), u(60_000, 1)]);
    p.add([u(0, 2)]);
    expect(p.take().map((x) => [x.windowStart, x.aggregate.count])).toEqual([
      [0, 2],
      [60_000, 1],
    ]);
  });

  it('never replaces a final state with an early one, and counts unwritten finals', () => {
    const p = new PendingWrites();
    p.add([u(0, 3, true)]);
    p.add([u(0, 1)]);
    expect(p.take()).toEqual([u(0, 3, true)]);
    expect(p.finalCount).toBe(1);
  });

  it('confirms what was written but keeps a state that arrived during the write', () => {
    const p = new PendingWrites();
    p.add([u(0, 1), u(60_000, 1, true)]);
    const batch = p.take();
    p.add([u(0, 2)]);
    p.confirm(batch);
    expect(p.take()).toEqual([u(0, 2)]);
    expect(p.finalCount).toBe(0);
    expect(p.size).toBe(1);
  });

  it('keeps everything after a failed write (nothing confirmed)', () => {
    const p = new PendingWrites();
    p.add([u(0, 1, true)]);
    p.take();
    expect(p.size).toBe(1);
    expect(p.finalCount).toBe(1);
  });
});
