// In-memory views for tests, local development and the dashboard demo: the read interfaces over plain maps.
import { cloneAggregate, type Aggregate, type Resolution } from '@lambda-iot/core';
import type { PipelineSnapshot, PipelineStatus } from './pipeline-status';
import type {
  BatchBoundaryReader,
  BatchView,
  FleetView,
  FleetWindow,
  SeriesKey,
  SpeedView,
  ViewSource,
  WindowPoint,
} from './series-view';

/** Windows per (device, metric, resolution); `put` overwrites, like the real stores. */
abstract class InMemoryView implements FleetView {
  abstract readonly source: ViewSource;
  private readonly windows = new Map<string, Map<number, Aggregate>>();
  /** Every read, for tests that check which spans were asked for. */
  readonly reads: Array<{
    key: SeriesKey | { metric: string };
    resolution: Resolution;
    from: number;
    to: number;
  }> = [];

  put(key: SeriesKey, resolution: Resolution, windowStart: number, aggregate: Aggregate): void {
    const id = seriesId(key.deviceId, key.metric, resolution);
    let series = this.windows.get(id);
    if (series === undefined) {
      series = new Map();
      this.windows.set(id, series);
    }
    series.set(windowStart, cloneAggregate(aggregate));
  }

  async readSeries(key: SeriesKey, resolution: Resolution, from: number, to: number): Promise<WindowPoint[]> {
    this.reads.push({ key, resolution, from, to });
    return this.collect(this.windows.get(seriesId(key.deviceId, key.metric, resolution)), from, to);
  }

  async readFleet(metric: string, resolution: Resolution, from: number, to: number): Promise<FleetWindow[]> {
    this.reads.push({ key: { metric }, resolution, from, to });
    const out: FleetWindow[] = [];
    for (const [id, series] of this.windows) {
      const [deviceId, m, r] = id.split('|') as [string, string, string];
      if (m !== metric || r !== resolution) continue;
      for (const p of this.collect(series, from, to)) out.push({ deviceId, ...p });
    }
    return out;
  }

  private collect(series: Map<number, Aggregate> | undefined, from: number, to: number): WindowPoint[] {
    if (series === undefined) return [];
    const out: WindowPoint[] = [];
    for (const [windowStart, aggregate] of series) {
      if (windowStart >= from && windowStart < to && aggregate.count > 0) {
        out.push({ windowStart, aggregate: cloneAggregate(aggregate) });
      }
    }
    return out.sort((a, b) => a.windowStart - b.windowStart);
  }
}

function seriesId(deviceId: string, metric: string, resolution: Resolution): string {
  return `${deviceId}|${metric}|${resolution}`;
}

export class InMemoryBatchView extends InMemoryView implements BatchView {
  readonly source = 'batch' as const;
}

export class InMemorySpeedView extends InMemoryView implements SpeedView {
  readonly source = 'speed' as const;
}

/** A boundary that moves when told to; `onRead` lets a test move it between two reads. */
export class InMemoryBatchBoundary implements BatchBoundaryReader {
  onRead: (() => void) | undefined;

  constructor(public boundary = 0) {}

  async readBoundary(): Promise<number> {
    const b = this.boundary;
    this.onRead?.();
    return b;
  }
}

export class InMemoryPipelineStatus implements PipelineStatus {
  constructor(public snapshot: PipelineSnapshot = emptySnapshot()) {}

  async read(): Promise<PipelineSnapshot> {
    return structuredClone(this.snapshot);
  }
}

function emptySnapshot(): PipelineSnapshot {
  return { partitions: [], dirtyHours: [], dirtyHourCount: 0, sealedThrough: null };
}
