// Answers one series (device, metric, step, range) from the batch view below B and the speed view above it.
import { windowStart, type Resolution } from '@lambda-iot/core';
import { alignRange, mergeAtBoundary, planReads, type ReadPlan, type ReadSpan } from './boundary-merge';
import { toSeriesPoint, type SeriesPoint } from './series-point';
import type {
  BatchBoundaryReader,
  BatchView,
  SeriesKey,
  SeriesView,
  SpeedView,
  WindowPoint,
} from './series-view';

export interface SeriesQueryDeps {
  batch: BatchView;
  speed: SpeedView;
  boundary: BatchBoundaryReader;
}

export interface SeriesAnswer {
  /** The B this answer was merged at (read once per answer). */
  boundary: number;
  /** The aligned range that was answered. */
  from: number;
  to: number;
  /**
   * `final` then `fresh`: the whole answer, sorted by window start. Built on first access: the JSON route
   * writes `final` and `fresh` as they are, and concatenating frozen arrays per request was a visible cost.
   */
  readonly points: SeriesPoint[];
  /**
   * The windows wholly below B. When the batch view hands out the same (cached) answer again, this is the
   * same frozen array, so a caller may memoize work on it (e.g. its JSON) by identity.
   */
  final: readonly SeriesPoint[];
  /** The windows at or above B (and the one B cuts in two); shared and frozen like `final` when the speed view
   * handed out a kept answer. */
  fresh: readonly SeriesPoint[];
}

export class SeriesQuery {
  /** Batch answers already turned into points, by the identity of the (cached, frozen) answer. */
  private readonly finalPoints = new WeakMap<readonly WindowPoint[], readonly SeriesPoint[]>();
  /** Speed answers already merged, by the identity of the (kept, frozen) answer, per step. */
  private readonly freshPoints = new WeakMap<
    readonly WindowPoint[],
    Map<Resolution, readonly SeriesPoint[]>
  >();

  /** Speed minutes already turned into points, by the identity of the (frozen) window. */
  private readonly speedMinutePoints = new WeakMap<WindowPoint, SeriesPoint>();

  constructor(private readonly deps: SeriesQueryDeps) {}

  /**
   * The merged series over [from, to) aligned outwards to `step`. B is read once, before any view, so a
   * recompute publishing mid-request cannot make a window come from both views or from neither.
   */
  async read(key: SeriesKey, step: Resolution, from: number, to: number): Promise<SeriesAnswer> {
    const range = alignRange(step, from, to);
    const boundary = await this.deps.boundary.readBoundary();
    const plan = planReads(step, range.from, range.to, boundary);
    const [batch, straddle, speed] = await Promise.all([
      readSpan(this.deps.batch, key, plan.batch),
      readSpan(this.deps.batch, key, plan.straddle),
      readSpan(this.deps.speed, key, plan.speed),
    ]);
    const final = this.toFinalPoints(plan, batch);
    if (final === undefined) {
      const points = mergeAtBoundary(plan, { batch, straddle, speed }).map(toSeriesPoint);
      return { boundary, ...range, points, final: [], fresh: points };
    }
    const fresh = this.toFreshPoints(plan, straddle, speed);
    let points: SeriesPoint[] | undefined;
    return {
      boundary,
      ...range,
      get points() {
        return (points ??= final.concat(fresh));
      },
      final,
      fresh,
    };
  }

  /**
   * The merge above B. Without a straddling window it depends only on the speed answer and the step, so a
   * kept (frozen) speed answer is merged once per step.
   */
  private toFreshPoints(
    plan: ReadPlan,
    straddle: readonly WindowPoint[],
    speed: readonly WindowPoint[],
  ): readonly SeriesPoint[] {
    const reusable = plan.straddle === null && Object.isFrozen(speed);
    const known = reusable ? this.freshPoints.get(speed)?.get(plan.step) : undefined;
    if (known !== undefined) return known;
    const points = Object.freeze(
      (plan.straddle === null && plan.step === '1m' && this.minutePoints(plan, speed)) ||
        mergeAtBoundary(plan, { batch: [], straddle, speed }).map(toSeriesPoint),
    );
    if (reusable) {
      let bySteps = this.freshPoints.get(speed);
      if (bySteps === undefined) this.freshPoints.set(speed, (bySteps = new Map()));
      bySteps.set(plan.step, points);
    }
    return points;
  }

  /**
   * At step 1m above B each speed window is one point, so a point is derived once per (shared, frozen) window:
   * the speed view hands out the same window objects for minutes it has settled, and only the open minutes
   * are new per read. Undefined (use the full merge) if the view broke its contract of sorted, distinct windows.
   */
  private minutePoints(plan: ReadPlan, speed: readonly WindowPoint[]): SeriesPoint[] | undefined {
    const span = plan.speed;
    if (span === null) return [];
    const points: SeriesPoint[] = [];
    let previous = -Infinity;
    for (const p of speed) {
      if (p.windowStart <= previous || windowStart(p.windowStart, '1m') !== p.windowStart) return undefined;
      previous = p.windowStart;
      if (p.windowStart < span.from || p.windowStart >= span.to || p.aggregate.count <= 0) continue;
      let point = this.speedMinutePoints.get(p);
      if (point === undefined) {
        point = Object.freeze(
          toSeriesPoint({
            windowStart: p.windowStart,
            aggregate: p.aggregate,
            source: 'speed',
            final: false,
          }),
        );
        if (Object.isFrozen(p) && Object.isFrozen(p.aggregate)) this.speedMinutePoints.set(p, point);
      }
      points.push(point);
    }
    return points;
  }

  /**
   * The batch span's windows are at the step and end at or before every straddle or speed window, so they map
   * one to one onto final points, independent of the rest of the merge. Undefined (use the full merge) if the
   * view broke its contract of sorted, distinct windows.
   */
  private toFinalPoints(plan: ReadPlan, batch: readonly WindowPoint[]): readonly SeriesPoint[] | undefined {
    const span = plan.batch;
    if (span === null || batch.length === 0) return [];
    const known = this.finalPoints.get(batch);
    if (known !== undefined) return known;
    const points: SeriesPoint[] = [];
    let previous = -Infinity;
    for (const p of batch) {
      if (p.windowStart <= previous || windowStart(p.windowStart, plan.step) !== p.windowStart)
        return undefined;
      previous = p.windowStart;
      if (p.windowStart < span.from || p.windowStart >= span.to || p.aggregate.count <= 0) continue;
      points.push(
        toSeriesPoint({ windowStart: p.windowStart, aggregate: p.aggregate, source: 'batch', final: true }),
      );
    }
    const frozen = Object.freeze(points);
    if (Object.isFrozen(batch)) this.finalPoints.set(batch, frozen);
    return frozen;
  }
}

function readSpan(view: SeriesView, key: SeriesKey, span: ReadSpan | null): Promise<WindowPoint[]> {
  if (span === null) return Promise.resolve([]);
  return view.readSeries(key, span.resolution, span.from, span.to);
}
