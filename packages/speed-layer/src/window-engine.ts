// The speed layer's windowing for one partition: watermark, tumbling 1-minute windows, lateness, dedup. No I/O.
import {
  addToAggregate,
  cloneAggregate,
  emptyAggregate,
  MINUTE_MS,
  type Aggregate,
  type Reading,
} from '@lambda-iot/core';
import { Watermark } from './watermark';
import type { PartitionCheckpoint } from './partition-checkpoint';
import type { WindowUpdate } from './window-sink';

export const DEFAULT_OUT_OF_ORDERNESS_MS = 5_000;
export const DEFAULT_ALLOWED_LATENESS_MS = 120_000;

export interface WindowEngineOptions {
  /** How far behind the newest event time a reading may arrive and still count as in order. */
  outOfOrdernessMs?: number;
  /** How long past its end (in watermark time) a window still accepts readings. */
  allowedLatenessMs?: number;
}

/** What became of one reading. `replayed` is a late reading below the resumed position: already accounted for. */
export type ReadingOutcome = 'applied' | 'duplicate' | 'late' | 'replayed';

export interface EngineCounters {
  applied: number;
  duplicates: number;
  late: number;
  replayed: number;
}

interface OpenWindow {
  readonly deviceId: string;
  readonly metric: string;
  readonly windowStart: number;
  readonly aggregate: Aggregate;
  /**
   * Dedup identities of the applied readings (device and metric are the window's own): ts → seq, with -1 for
   * "no seq" (validation guarantees seq ≥ 0), or a set of them when several readings share a ts. Numbers, not
   * `ts|seq` strings: this runs for every reading.
   */
  readonly seen: Map<number, number | Set<number>>;
  dirty: boolean;
  /** The watermark has passed the window's end (see `completeUpTo`). */
  complete: boolean;
}

/** All windows sharing a start close together, so they are grouped: closing and the commit bound are per group. */
interface WindowGroup {
  readonly windowStart: number;
  /** deviceId → metric → window: two lookups, but no key string built per reading. */
  readonly windows: Map<string, Map<string, OpenWindow>>;
  /** Lowest Kafka offset that contributed to any window of the group: the replay must start at or below it. */
  minOffset: number;
}

/**
 * Feed readings in offset order with `add`, and mark each record done with `markProcessed`. The watermark
 * advances per reading, so the outcome of every reading, and therefore every window, depends only on the
 * sequence of readings and never on how Kafka split them into batches.
 */
export class WindowEngine {
  readonly outOfOrdernessMs: number;
  readonly allowedLatenessMs: number;
  private readonly watermark: Watermark;
  /** Open groups by window start, plus their starts in ascending order (few: lateness / 1 min + a handful). */
  private readonly groups = new Map<number, WindowGroup>();
  private starts: number[] = [];
  private readonly dirty = new Set<OpenWindow>();
  private closedPending: WindowUpdate[] = [];
  private completedPending: WindowUpdate[] = [];
  private nextOffset: number | undefined;
  private readonly replayEnd: number;
  /** Every window starting at or before this has been emitted as complete. */
  private completedThrough = Number.NEGATIVE_INFINITY;
  private openCount = 0;
  readonly counters: EngineCounters = { applied: 0, duplicates: 0, late: 0, replayed: 0 };

  constructor(options: WindowEngineOptions = {}, resume?: PartitionCheckpoint) {
    this.outOfOrdernessMs = options.outOfOrdernessMs ?? DEFAULT_OUT_OF_ORDERNESS_MS;
    this.allowedLatenessMs = options.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS;
    if (!(this.outOfOrdernessMs >= 0) || !(this.allowedLatenessMs >= 0)) {
      throw new RangeError('outOfOrdernessMs and allowedLatenessMs must be >= 0');
    }
    this.watermark = new Watermark(this.outOfOrdernessMs, resume?.watermark);
    this.replayEnd = resume?.processedEnd ?? Number.NEGATIVE_INFINITY;
    this.nextOffset = resume?.offset;
  }

  get currentWatermark(): number {
    return this.watermark.current;
  }

  get openWindows(): number {
    return this.openCount;
  }

  /** Windows closed since the last drain. */
  get closedUndrained(): number {
    return this.closedPending.length;
  }

  /** Applies one reading from the record at `offset`. */
  add(offset: number, r: Reading): ReadingOutcome {
    const start = r.ts - floorMod(r.ts, MINUTE_MS);
    let outcome: ReadingOutcome;
    if (start + MINUTE_MS + this.allowedLatenessMs <= this.watermark.current) {
      if (offset < this.replayEnd) {
        this.counters.replayed++;
        outcome = 'replayed';
      } else {
        this.counters.late++;
        outcome = 'late';
      }
    } else {
      outcome = this.apply(offset, start, r);
    }
    if (this.watermark.observe(r.ts)) {
      this.closeUpTo(this.watermark.current);
      if (offset >= this.replayEnd) this.completeUpTo(this.watermark.current);
    }
    return outcome;
  }

  /** Marks the record at `offset` (valid or not) as fully processed. */
  markProcessed(offset: number): void {
    this.nextOffset = offset + 1;
    // The replay has rebuilt every open window as it was before the restart: those the restored watermark has
    // passed are complete now, with the content they had then (plus any straggler that had arrived since).
    if (this.nextOffset === this.replayEnd) this.completeUpTo(this.watermark.current);
  }

  /** The position a commit may safely name now, if any record was processed or a checkpoint resumed. */
  checkpoint(): PartitionCheckpoint | undefined {
    if (this.nextOffset === undefined) return undefined;
    let offset = this.nextOffset;
    for (const group of this.groups.values()) if (group.minOffset < offset) offset = group.minOffset;
    return { offset, watermark: this.watermark.current, processedEnd: this.nextOffset };
  }

  /**
   * Takes every window to write (newly complete ones, closed ones as final, changed open ones as early results)
   * together with the checkpoint that becomes safe once they, and everything drained before, are written.
   */
  drain(): { updates: WindowUpdate[]; checkpoint: PartitionCheckpoint | undefined } {
    const updates =
      this.completedPending.length === 0
        ? this.closedPending
        : [...this.completedPending, ...this.closedPending];
    this.closedPending = [];
    this.completedPending = [];
    for (const w of this.dirty) {
      w.dirty = false;
      updates.push(snapshot(w, false, w.complete));
    }
    this.dirty.clear();
    return { updates, checkpoint: this.checkpoint() };
  }

  private apply(offset: number, start: number, r: Reading): ReadingOutcome {
    let group = this.groups.get(start);
    if (group === undefined) {
      group = { windowStart: start, windows: new Map(), minOffset: offset };
      this.groups.set(start, group);
      insertSorted(this.starts, start);
    }
    let byMetric = group.windows.get(r.deviceId);
    if (byMetric === undefined) {
      byMetric = new Map();
      group.windows.set(r.deviceId, byMetric);
    }
    let w = byMetric.get(r.metric);
    if (w === undefined) {
      w = {
        deviceId: r.deviceId,
        metric: r.metric,
        windowStart: start,
        aggregate: emptyAggregate(),
        seen: new Map(),
        dirty: false,
        // A straggler's first reading in an already complete minute: every state it has is past the watermark.
        complete: start <= this.completedThrough,
      };
      byMetric.set(r.metric, w);
      this.openCount++;
    }
    if (!markSeen(w.seen, r.ts, r.seq === undefined ? -1 : r.seq)) {
      this.counters.duplicates++;
      return 'duplicate';
    }
    addToAggregate(w.aggregate, r.ts, r.value);
    if (offset < group.minOffset) group.minOffset = offset;
    if (!w.dirty) {
      w.dirty = true;
      this.dirty.add(w);
    }
    this.counters.applied++;
    return 'applied';
  }

  private closeUpTo(watermark: number): void {
    const horizon = MINUTE_MS + this.allowedLatenessMs;
    let closed = 0;
    while (closed < this.starts.length && (this.starts[closed] as number) + horizon <= watermark) {
      const start = this.starts[closed] as number;
      const group = this.groups.get(start) as WindowGroup;
      for (const byMetric of group.windows.values()) {
        for (const w of byMetric.values()) {
          if (w.dirty) this.dirty.delete(w);
          this.closedPending.push(snapshot(w, true, true));
          this.openCount--;
        }
      }
      this.groups.delete(start);
      closed++;
    }
    if (closed > 0) this.starts = this.starts.slice(closed);
  }

  /**
   * Emits every window of each group the watermark has passed the end of, once, as complete (call after
   * `closeUpTo`: a group that closes at the same time is emitted final instead). Never while the replay after a
   * restart is still rebuilding windows, whose content would be partial; the restored watermark is already past
   * some of them, so they all complete when the replay ends.
   */
  private completeUpTo(watermark: number): void {
    const bound = watermark - MINUTE_MS;
    if (bound <= this.completedThrough) return;
    for (const start of this.starts) {
      if (start > bound) break;
      if (start <= this.completedThrough) continue;
      const group = this.groups.get(start) as WindowGroup;
      for (const byMetric of group.windows.values()) {
        for (const w of byMetric.values()) {
          w.complete = true;
          if (w.dirty) {
            w.dirty = false;
            this.dirty.delete(w);
          }
          this.completedPending.push(snapshot(w, false, true));
        }
      }
    }
    this.completedThrough = bound;
  }
}

/** Records (ts, seq) in the window's dedup index; false if it was already there. */
function markSeen(seen: Map<number, number | Set<number>>, ts: number, seq: number): boolean {
  const existing = seen.get(ts);
  if (existing === undefined) {
    seen.set(ts, seq);
    return true;
  }
  if (typeof existing === 'number') {
    if (existing === seq) return false;
    seen.set(ts, new Set([existing, seq]));
    return true;
  }
  if (existing.has(seq)) return false;
  existing.add(seq);
  return true;
}

function snapshot(w: OpenWindow, final: boolean, complete: boolean): WindowUpdate {
  return {
    deviceId: w.deviceId,
    metric: w.metric,
    windowStart: w.windowStart,
    // A closed window's aggregate is never touched again, so only early results need a copy.
    aggregate: final ? w.aggregate : cloneAggregate(w.aggregate),
    final,
    complete,
  };
}

function floorMod(ts: number, size: number): number {
  const r = ts % size;
  return r < 0 ? r + size : r;
}

function insertSorted(xs: number[], x: number): void {
  let i = xs.length;
  while (i > 0 && (xs[i - 1] as number) > x) i--;
  xs.splice(i, 0, x);
}
