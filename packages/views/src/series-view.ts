// The read-side contract: what a view (speed or batch) answers for one series over a time range.
import type { Aggregate, Resolution } from '@lambda-iot/core';

/** One device's one metric. */
export interface SeriesKey {
  deviceId: string;
  metric: string;
}

/** The aggregate of one window; `windowStart` is aligned to the window's resolution (UTC epoch ms). */
export interface WindowPoint {
  windowStart: number;
  aggregate: Aggregate;
}

export type ViewSource = 'batch' | 'speed';

/**
 * A view of per-window aggregates. Ranges are half-open [from, to) on window starts and already aligned to the
 * resolution by the caller. Points come back sorted by windowStart, only windows with count > 0.
 */
export interface SeriesView {
  readonly source: ViewSource;
  readSeries(key: SeriesKey, resolution: Resolution, from: number, to: number): Promise<WindowPoint[]>;
}

/** The speed view stores 1-minute windows; coarser resolutions above the boundary are rolled up by the merge. */
export interface SpeedView extends SeriesView {
  readonly source: 'speed';
}

export interface BatchView extends SeriesView {
  readonly source: 'batch';
}

/** Where the batch view ends: windows starting before `boundary` are answered from the batch view. */
export interface BatchBoundaryReader {
  /** Epoch ms of the batch boundary B, or 0 when no hour has been published yet. */
  readBoundary(): Promise<number>;
}

/** One device's window in a fleet read. */
export interface FleetWindow {
  deviceId: string;
  windowStart: number;
  aggregate: Aggregate;
}

/**
 * Every device's windows of one metric over a range, in one call. The batch view answers it with one scan;
 * the speed side answers it device by device (`SpeedFleetReader`). Same range rules as `SeriesView`; the
 * order of the result is unspecified.
 */
export interface FleetView {
  readonly source: ViewSource;
  readFleet(metric: string, resolution: Resolution, from: number, to: number): Promise<FleetWindow[]>;
}
