import fc from 'fast-check';
import { aggregateOf, MINUTE_MS, type Reading } from '@lambda-iot/core';
import { WindowEngine } from './window-engine';
import { decodeCheckpointMetadata, encodeCheckpointMetadata } from './partition-checkpoint';
import { windowId } from './test-support/memory-window-sink';
import type { WindowUpdate } from './window-sink';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const OOO = 5_000;
const LATENESS = 120_000;

function r(ts: number, value: number, extra: Partial<Reading> = {}): Reading {
  return { deviceId: 'd1', metric: 'temp', ts, value, ...extra };
}

function engine(): WindowEngine {
  return new WindowEngine({ outOfOrdernessMs: OOO, allowedLatenessMs: LATENESS });
}

/** Feeds readings as consecutive offsets from `first`, draining after each so every update is observed. */
function feed(e: WindowEngine, readings: readonly Reading[], first = 0): WindowUpdate[] {
  const out: WindowUpdate[] = [];
  readings.forEach((reading, i) => {
    e.add(first + i, reading);
    e.markProcessed(first + i);
  });
  out.push(...e.drain().updates);
  return out;
}

/**
 * Plain last-write-wins, deliberately without the real sinks' smaller-count guard: the engine's own guarantees
 * (checkpoint/restore, batch independence) must hold without that safety net.
 */
function apply(sink: Map<string, WindowUpdate>, u: WindowUpdate): void {
  sink.set(windowId(u), { ...u, aggregate: { ...u.aggregate } });
}

function finals(updates: readonly WindowUpdate[]): WindowUpdate[] {
  return updates.filter((u) => u.final);
}

/** The windows emitted as complete but not final: what alerting scores. */
function complete(updates: readonly WindowUpdate[]): WindowUpdate[] {
  return updates.filter((u) => u.complete === true && !u.final);
}

describe('WindowEngine', () => {
  it('keeps a window open until the watermark reaches its end plus the allowed lateness, then emits it final once', () => {
    const e = engine();
    e.add(0, r(T0 + 1_000, 1));
    const end = T0 + MINUTE_MS;
    // Watermark = max ts - OOO; one millisecond short of end + lateness keeps the window open.
    e.add(1, r(end + LATENESS + OOO - 1, 2));
    expect(e.currentWatermark).toBe(end + LATENESS - 1);
    expect(finals(e.drain().updates)).toEqual([]);
    expect(e.openWindows).toBe(2);
    e.add(2, r(end + LATENESS + OOO, 3));
    const closed = finals(e.drain().updates);
    expect(closed).toEqual([
      {
        deviceId: 'd1',
        metric: 'temp',
        windowStart: T0,
        aggregate: aggregateOf([{ ts: T0 + 1_000, value: 1 }]),
        final: true,
        complete: true,
      },
    ]);
    expect(e.openWindows).toBe(1);
    expect(finals(e.drain().updates)).toEqual([]);
  });

  it('counts readings for a closed window as late and leaves the window untouched', () => {
    const e = engine();
    const updates = feed(e, [r(T0 + 1_000, 1), r(T0 + 10 * MINUTE_MS, 2), r(T0 + 2_000, 100)]);
    expect(e.counters).toEqual({ applied: 2, duplicates: 0, late: 1, replayed: 0 });
    expect(finals(updates).map((u) => u.aggregate.count)).toEqual([1]);
  });

  it('includes out-of-order readings that arrive within the lateness', () => {
    const e = engine();
    // The second reading is a minute behind the first: past the out-of-orderness, inside the lateness.
    feed(e, [r(T0 + MINUTE_MS + 30_000, 5), r(T0 + 30_000, 7), r(T0 + 59_999, 9)]);
    const updates = feed(e, [r(T0 + 20 * MINUTE_MS, 0)], 3);
    const first = finals(updates).find((u) => u.windowStart === T0);
    expect(first?.aggregate).toEqual(
      aggregateOf([
        { ts: T0 + 30_000, value: 7 },
        { ts: T0 + 59_999, value: 9 },
      ]),
    );
    expect(e.counters.late).toBe(0);
  });

  it('counts a reading once however often it arrives; seq distinguishes readings with equal ts', () => {
    const e = engine();
    feed(e, [r(T0, 1, { seq: 1 }), r(T0, 1, { seq: 1 }), r(T0, 2, { seq: 2 }), r(T0, 3), r(T0, 3)]);
    const updates = feed(e, [r(T0 + 20 * MINUTE_MS, 0)], 5);
    expect(finals(updates)[0]?.aggregate.count).toBe(3);
    expect(e.counters.duplicates).toBe(2);
  });

  it('keeps series apart: device and metric each make their own window', () => {
    const e = engine();
    const updates = feed(e, [r(T0, 1), r(T0, 2, { metric: 'hum' }), r(T0, 3, { deviceId: 'd2' })]);
    expect(updates.map((u) => `${u.deviceId}/${u.metric}:${u.aggregate.count}`).sort()).toEqual([
      'd1/hum:1',
      'd1/temp:1',
      'd2/temp:1',
    ]);
  });

  it('emits changed open windows as early results, and only those', () => {
    const e = engine();
    feed(e, [r(T0, 1), r(T0 + MINUTE_MS, 2)]);
    const next = feed(e, [r(T0 + MINUTE_MS + 1, 3)], 2);
    expect(next.map((u) => [u.windowStart, u.aggregate.count, u.final])).toEqual([
      [T0 + MINUTE_MS, 2, false],
    ]);
  });

  it('emits a window complete once, when the watermark passes its end, with the readings on time for it', () => {
    const e = engine();
    const end = T0 + MINUTE_MS;
    feed(e, [r(T0 + 1_000, 1), r(T0 + 50_000, 2), r(end + OOO - 1, 3)]);
    expect(complete(e.drain().updates)).toEqual([]);
    const updates = feed(e, [r(end + OOO, 4), r(end + OOO + 1, 5)], 3);
    expect(complete(updates)).toEqual([
      {
        deviceId: 'd1',
        metric: 'temp',
        windowStart: T0,
        aggregate: aggregateOf([
          { ts: T0 + 1_000, value: 1 },
          { ts: T0 + 50_000, value: 2 },
        ]),
        final: false,
        complete: true,
      },
    ]);
    // Still open for stragglers: one within the lateness changes it, and it stays complete until final.
    const straggler = feed(e, [r(T0 + 59_000, 6)], 5);
    expect(straggler.map((u) => [u.windowStart, u.aggregate.count, u.complete, u.final])).toEqual([
      [T0, 3, true, false],
    ]);
    const closed = feed(e, [r(end + LATENESS + OOO, 7)], 6);
    expect(closed.filter((u) => u.windowStart === T0).map((u) => [u.aggregate.count, u.final])).toEqual([
      [3, true],
    ]);
  });

  it('emits a straggler that opens a window in an already complete minute as complete from its first reading', () => {
    const e = engine();
    feed(e, [r(T0 + 1_000, 1), r(T0 + MINUTE_MS + OOO, 2)]);
    const updates = feed(e, [r(T0 + 2_000, 3, { metric: 'hum' })], 2);
    expect(updates.map((u) => [u.metric, u.windowStart, u.complete])).toEqual([['hum', T0, true]]);
  });

  it('after a restart, emits the windows the restored watermark has passed as complete only once the replay has rebuilt them', () => {
    const first = engine();
    const records = [
      r(T0 + 1_000, 1),
      r(T0 + 20_000, 2),
      r(T0 + MINUTE_MS + OOO, 3),
      r(T0 + MINUTE_MS + 9_000, 4),
    ];
    records.forEach((reading, i) => {
      first.add(i, reading);
      first.markProcessed(i);
    });
    const before = complete(first.drain().updates);
    expect(before.map((u) => [u.windowStart, u.aggregate.count])).toEqual([[T0, 2]]);
    const checkpoint = first.checkpoint();
    expect(checkpoint).toEqual({ offset: 0, watermark: T0 + MINUTE_MS + 4_000, processedEnd: 4 });

    const second = new WindowEngine({ outOfOrdernessMs: OOO, allowedLatenessMs: LATENESS }, checkpoint);
    const seen: WindowUpdate[] = [];
    records.forEach((reading, i) => {
      second.add(i, reading);
      second.markProcessed(i);
      seen.push(...complete(second.drain().updates).map((u) => ({ ...u, offset: i })));
    });
    // Not after records 0 and 1, which would be a partial minute: after the last replayed record, whole.
    expect(seen).toEqual([{ ...before[0], offset: 3 }]);
  });

  it('commits no further than the lowest offset of an open window', () => {
    const e = engine();
    e.add(10, r(T0, 1));
    e.markProcessed(10);
    e.add(11, r(T0 + 3 * MINUTE_MS, 2));
    e.markProcessed(11);
    expect(e.checkpoint()).toEqual({ offset: 10, watermark: T0 + 3 * MINUTE_MS - OOO, processedEnd: 12 });
    e.add(12, r(T0 + 10 * MINUTE_MS, 3));
    e.markProcessed(12);
    // Both earlier windows closed; the open one started at offset 12.
    expect(e.checkpoint()?.offset).toBe(12);
    e.markProcessed(13); // a record without valid readings
    expect(e.checkpoint()?.offset).toBe(12);
  });
});

// ---- properties -------------------------------------------------------------------------------------------

/** Readings of two devices, drifting forward with jitter, some repeated, some far behind (late). */
const streamArb = fc
  .array(
    fc.record({
      device: fc.constantFrom('a', 'b'),
      metric: fc.constantFrom('t', 'h'),
      step: fc.integer({ min: 0, max: 40_000 }),
      jitter: fc.integer({ min: -200_000, max: 10_000 }),
      value: fc.integer({ min: -50, max: 50 }),
      seq: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
      repeat: fc.boolean(),
    }),
    { minLength: 1, maxLength: 120 },
  )
  .map((items) => {
    let clock = T0;
    const out: Reading[] = [];
    for (const it of items) {
      clock += it.step;
      const reading: Reading = {
        deviceId: it.device,
        metric: it.metric,
        ts: clock + it.jitter,
        value: it.value,
      };
      if (it.seq !== undefined) reading.seq = it.seq;
      out.push(reading);
      if (it.repeat) out.push({ ...reading });
    }
    return out;
  });

/** Runs records (arrays of readings, one offset each) through an engine, flushing at the given record indexes. */
function run(
  e: WindowEngine,
  records: readonly (readonly Reading[])[],
  sink: Map<string, WindowUpdate>,
  firstOffset: number,
  flushAfter: ReadonlySet<number> = new Set(),
): void {
  records.forEach((record, i) => {
    for (const reading of record) e.add(firstOffset + i, reading);
    e.markProcessed(firstOffset + i);
    if (flushAfter.has(firstOffset + i)) for (const u of e.drain().updates) apply(sink, u);
  });
  for (const u of e.drain().updates) apply(sink, u);
}

function chunk<T>(xs: readonly T[], sizes: readonly number[]): T[][] {
  const out: T[][] = [];
  let i = 0;
  let k = 0;
  while (i < xs.length) {
    const n = Math.max(1, sizes[k++ % sizes.length] ?? 1);
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}

function sinkSummary(sink: Map<string, WindowUpdate>): Array<[string, WindowUpdate]> {
  return [...sink.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('WindowEngine properties', () => {
  it('gives the same windows and counters however readings are split into records and flushes', () => {
    fc.assert(
      fc.property(
        streamArb,
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat({ max: 60 }), { maxLength: 10 }),
        (readings, sizes, flushes) => {
          const one = new Map<string, WindowUpdate>();
          const a = engine();
          run(
            a,
            readings.map((x) => [x]),
            one,
            0,
          );
          const split = new Map<string, WindowUpdate>();
          const b = engine();
          run(b, chunk(readings, sizes), split, 0, new Set(flushes));
          expect(sinkSummary(split)).toEqual(sinkSummary(one));
          expect(b.counters).toEqual(a.counters);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every final window is the aggregate of its distinct, non-late readings', () => {
    fc.assert(
      fc.property(streamArb, (readings) => {
        const sink = new Map<string, WindowUpdate>();
        const e = engine();
        const late = new Set<number>();
        readings.forEach((reading, i) => {
          if (e.add(i, reading) === 'late') late.add(i);
        });
        for (const u of e.drain().updates) apply(sink, u);
        const expected = new Map<string, Map<string, Reading>>();
        readings.forEach((reading, i) => {
          if (late.has(i)) return;
          const id = windowId({
            ...reading,
            windowStart: reading.ts - (((reading.ts % MINUTE_MS) + MINUTE_MS) % MINUTE_MS),
          });
          const byKey = expected.get(id) ?? new Map<string, Reading>();
          const key = `${reading.ts}|${reading.seq ?? ''}`;
          if (!byKey.has(key)) byKey.set(key, reading);
          expected.set(id, byKey);
        });
        expect([...sink.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [id, byKey] of expected) {
          expect(sink.get(id)?.aggregate).toEqual(aggregateOf(byKey.values()));
        }
        // Late means: its window had closed, i.e. the watermark before it was past the window's end + lateness.
        let maxTs = Number.NEGATIVE_INFINITY;
        readings.forEach((reading, i) => {
          const start = reading.ts - (((reading.ts % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
          expect(late.has(i)).toBe(start + MINUTE_MS + LATENESS <= maxTs - OOO);
          maxTs = Math.max(maxTs, reading.ts);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('emits each window complete as soon as the watermark passes its end, with every reading it had by then', () => {
    fc.assert(
      fc.property(streamArb, (readings) => {
        const e = engine();
        const emitted = new Set<string>();
        const applied = new Map<string, Map<string, Reading>>();
        readings.forEach((reading, i) => {
          const start = reading.ts - (((reading.ts % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
          const id = windowId({ ...reading, windowStart: start });
          if (e.add(i, reading) === 'applied') {
            const byKey = applied.get(id) ?? new Map<string, Reading>();
            byKey.set(`${reading.ts}|${reading.seq ?? ''}`, reading);
            applied.set(id, byKey);
          }
          e.markProcessed(i);
          const updates = e.drain().updates;
          const firsts = updates.filter((u) => u.complete && !emitted.has(windowId(u)));
          for (const u of firsts) {
            emitted.add(windowId(u));
            expect(u.aggregate).toEqual(aggregateOf(applied.get(windowId(u))?.values() ?? []));
          }
          // Every window with readings whose end the watermark has passed has been emitted complete by now.
          for (const key of applied.keys()) {
            const windowStart = Number(key.split('|')[2]);
            if (windowStart + MINUTE_MS <= e.currentWatermark) expect(emitted.has(key)).toBe(true);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('after a restart, never emits a window complete with fewer readings than it had when first emitted complete', () => {
    fc.assert(
      fc.property(streamArb, fc.nat(), fc.nat(), (readings, cutA, cutB) => {
        const ckpt = cutA % readings.length;
        const crash = ckpt + (cutB % (readings.length - ckpt));
        const firstComplete = new Map<string, number>();
        const first = engine();
        let resume: ReturnType<WindowEngine['checkpoint']>;
        readings.slice(0, crash + 1).forEach((reading, i) => {
          first.add(i, reading);
          first.markProcessed(i);
          for (const u of first.drain().updates)
            if (u.complete && !firstComplete.has(windowId(u)))
              firstComplete.set(windowId(u), u.aggregate.count);
          if (i === ckpt) resume = first.checkpoint();
        });
        const from = resume?.offset ?? 0;
        const second = new WindowEngine({ outOfOrdernessMs: OOO, allowedLatenessMs: LATENESS }, resume);
        readings.slice(from).forEach((reading, k) => {
          second.add(from + k, reading);
          second.markProcessed(from + k);
          for (const u of second.drain().updates) {
            const before = firstComplete.get(windowId(u));
            if (u.complete && before !== undefined) expect(u.aggregate.count).toBeGreaterThanOrEqual(before);
          }
        });
      }),
      { numRuns: 500 },
    );
  });

  it('resuming from a checkpoint (offset + metadata) after a crash gives exactly the uninterrupted result', () => {
    fc.assert(
      fc.property(streamArb, fc.nat(), fc.nat(), (readings, cutA, cutB) => {
        const records = readings.map((x) => [x]);
        const uninterrupted = new Map<string, WindowUpdate>();
        run(engine(), records, uninterrupted, 0);

        // First life: process a prefix, flush and checkpoint after record `ckpt`, crash after record `crash`.
        const ckpt = cutA % records.length;
        const crash = ckpt + (cutB % (records.length - ckpt));
        const sink = new Map<string, WindowUpdate>();
        const first = engine();
        let committed: { offset: number; metadata: string } | undefined;
        records.slice(0, crash + 1).forEach((record, i) => {
          for (const reading of record) first.add(i, reading);
          first.markProcessed(i);
          if (i === ckpt) {
            const { updates, checkpoint } = first.drain();
            for (const u of updates) apply(sink, u);
            if (checkpoint)
              committed = { offset: checkpoint.offset, metadata: encodeCheckpointMetadata(checkpoint) };
          }
          // Early results written after the checkpoint, then lost with the process: the worst case for a replay.
          if (i > ckpt) for (const u of first.drain().updates) apply(sink, u);
        });

        // Second life: a fresh engine resumes from the committed offset with its metadata.
        const from = committed?.offset ?? 0;
        const resume = committed ? decodeCheckpointMetadata(committed.offset, committed.metadata) : undefined;
        const second = new WindowEngine({ outOfOrdernessMs: OOO, allowedLatenessMs: LATENESS }, resume);
        run(second, records.slice(from), sink, from);

        expect(sinkSummary(sink)).toEqual(sinkSummary(uninterrupted));
      }),
      { numRuns: 500 },
    );
  });
});
