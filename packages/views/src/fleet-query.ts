// Answers one metric for every device over a range, merged at B per device like a series.
import type { Resolution } from '@lambda-iot/core';
import { alignRange, mergeAtBoundary, planReads, type MergedWindow, type ReadSpan } from './boundary-merge';
import type { BatchBoundaryReader, FleetView, FleetWindow, WindowPoint } from './series-view';

export interface FleetQueryDeps {
  /** The batch view's fleet reads (one scan for all devices). */
  batch: FleetView;
  /** The speed side's fleet reads, usually a `SpeedFleetReader`. */
  speed: FleetView;
  boundary: BatchBoundaryReader;
}

export interface FleetAnswer {
  boundary: number;
  from: number;
  to: number;
  /** Merged windows per device; devices without data in the range are absent. */
  devices: Map<string, MergedWindow[]>;
}

export class FleetQuery {
  constructor(private readonly deps: FleetQueryDeps) {}

  /** Like `SeriesQuery.read` for every device at once: B is read once and shared by all devices. */
  async read(metric: string, step: Resolution, from: number, to: number): Promise<FleetAnswer> {
    const range = alignRange(step, from, to);
    const boundary = await this.deps.boundary.readBoundary();
    const plan = planReads(step, range.from, range.to, boundary);
    const [batch, straddle, speed] = await Promise.all([
      readSpan(this.deps.batch, metric, plan.batch),
      readSpan(this.deps.batch, metric, plan.straddle),
      readSpan(this.deps.speed, metric, plan.speed),
    ]);
    const byDevice = new Map<
      string,
      { batch: WindowPoint[]; straddle: WindowPoint[]; speed: WindowPoint[] }
    >();
    const collect = (windows: FleetWindow[], part: 'batch' | 'straddle' | 'speed'): void => {
      for (const w of windows) {
        let entry = byDevice.get(w.deviceId);
        if (entry === undefined) {
          entry = { batch: [], straddle: [], speed: [] };
          byDevice.set(w.deviceId, entry);
        }
        entry[part].push({ windowStart: w.windowStart, aggregate: w.aggregate });
      }
    };
    collect(batch, 'batch');
    collect(straddle, 'straddle');
    collect(speed, 'speed');
    const devices = new Map<string, MergedWindow[]>();
    for (const [deviceId, answers] of byDevice) {
      const merged = mergeAtBoundary(plan, answers);
      if (merged.length > 0) devices.set(deviceId, merged);
    }
    return { boundary, from: range.from, to: range.to, devices };
  }
}

function readSpan(view: FleetView, metric: string, span: ReadSpan | null): Promise<FleetWindow[]> {
  if (span === null) return Promise.resolve([]);
  return view.readFleet(metric, span.resolution, span.from, span.to);
}
