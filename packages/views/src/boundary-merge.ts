// The merge at the batch boundary B: which view answers which window, and how the two answers join.
import {
  cloneAggregate,
  HOUR_MS,
  mergeInto,
  RESOLUTION_MS,
  windowStart,
  type Aggregate,
  type Resolution,
} from '@lambda-iot/core';
import type { ViewSource, WindowPoint } from './series-view';

/** A half-open range [from, to) of window starts at one resolution. */
export interface ReadSpan {
  resolution: Resolution;
  from: number;
  to: number;
}

/**
 * The reads one merged answer needs. `batch` holds the windows that end at or before B, at the step;
 * `straddle` the batch part of the one window that B cuts in two (only when B is not aligned to the step,
 * e.g. a day window when B is mid-day), at the finest resolution B is aligned to; `speed` the 1-minute
 * windows from B on. Each is null when empty.
 */
export interface ReadPlan {
  step: Resolution;
  from: number;
  to: number;
  /** B clamped into [from, to] and aligned down to the minute; the split point of every read below. */
  split: number;
  batch: ReadSpan | null;
  straddle: ReadSpan | null;
  speed: ReadSpan | null;
}

/** A window of the merged answer: the aggregate and where it came from. */
export interface MergedWindow {
  windowStart: number;
  aggregate: Aggregate;
  /**
   * 'batch' exactly when the whole window ends at or before B, which also makes it final. A window B cuts in
   * two (a day when B is mid-day) is 'speed' and not final: part of it is still fresh data.
   */
  source: ViewSource;
  final: boolean;
}

/** Window starts of [from, to) at `step`: `from` aligned down, `to` aligned up. */
export function alignRange(step: Resolution, from: number, to: number): { from: number; to: number } {
  const size = RESOLUTION_MS[step];
  const alignedFrom = windowStart(from, step);
  const alignedTo = to === windowStart(to, step) ? to : windowStart(to, step) + size;
  return { from: alignedFrom, to: alignedTo };
}

/**
 * Decides the reads for one answer. [from, to) must be aligned to `step` (see `alignRange`). B is used
 * exactly as given, so callers read it once per request and every read agrees on it.
 */
export function planReads(step: Resolution, from: number, to: number, boundary: number): ReadPlan {
  // The views hold 1-minute windows at the finest, so a split inside a minute is moved down to it: one
  // more minute answered by the speed view, never a minute answered twice.
  const split = Math.min(Math.max(windowStart(boundary, '1m'), from), to);
  const lastBatchEnd = windowStart(split, step);
  const batch: ReadSpan | null = from < lastBatchEnd ? { resolution: step, from, to: lastBatchEnd } : null;
  const straddle: ReadSpan | null =
    lastBatchEnd < split
      ? { resolution: split % HOUR_MS === 0 ? '1h' : '1m', from: lastBatchEnd, to: split }
      : null;
  const speed: ReadSpan | null = split < to ? { resolution: '1m', from: split, to } : null;
  return { step, from, to, split, batch, straddle, speed };
}

/** What the views answered for a plan's reads (an empty list for a read the plan does not have). */
export interface PlanAnswers {
  batch: readonly WindowPoint[];
  straddle: readonly WindowPoint[];
  speed: readonly WindowPoint[];
}

/**
 * Joins the answers into one window list at the plan's step, sorted by window start, windows with
 * count > 0 only. Every point outside its read's span is ignored, so a view that answers more than it was
 * asked (the speed view holds windows below B too) can never double a window. Inputs are not modified.
 */
export function mergeAtBoundary(plan: ReadPlan, answers: PlanAnswers): MergedWindow[] {
  const windows = new Map<number, MergedWindow>();
  const add = (span: ReadSpan | null, points: readonly WindowPoint[], source: ViewSource): void => {
    if (span === null) return;
    for (const p of points) {
      if (p.windowStart < span.from || p.windowStart >= span.to || p.aggregate.count <= 0) continue;
      const start = windowStart(p.windowStart, plan.step);
      const existing = windows.get(start);
      if (existing === undefined) {
        windows.set(start, {
          windowStart: start,
          aggregate: cloneAggregate(p.aggregate),
          source,
          final: source === 'batch',
        });
      } else {
        mergeInto(existing.aggregate, p.aggregate);
        if (source === 'speed') {
          existing.source = 'speed';
          existing.final = false;
        }
      }
    }
  };
  add(plan.batch, answers.batch, 'batch');
  // The straddling window is not wholly below B: it is fresh, so it reports as speed and not final.
  add(plan.straddle, answers.straddle, 'speed');
  add(plan.speed, answers.speed, 'speed');
  return [...windows.values()].sort((a, b) => a.windowStart - b.windowStart);
}
