// Fleet reads on the speed side: the speed view is keyed by device, so a fleet read is one read per device.
import type { Resolution } from '@lambda-iot/core';
import type { FleetView, FleetWindow, SpeedView } from './series-view';

export interface SpeedFleetReaderOptions {
  /** The devices to read (the device registry's list); called once per fleet read. */
  listDevices(): Promise<readonly string[]>;
  /** Device reads in flight at once; bounds the load one fleet request puts on Redis/Cassandra. */
  concurrency?: number;
}

/**
 * A FleetView over a SpeedView. Cost: one `readSeries` per registered device per request, at most
 * `concurrency` at a time, so latency grows with fleet size / concurrency; the speed span is short (it
 * starts at B), which keeps each read small.
 */
export class SpeedFleetReader implements FleetView {
  readonly source = 'speed' as const;
  private readonly concurrency: number;

  constructor(
    private readonly speed: SpeedView,
    private readonly options: SpeedFleetReaderOptions,
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 8);
  }

  async readFleet(metric: string, resolution: Resolution, from: number, to: number): Promise<FleetWindow[]> {
    const devices = await this.options.listDevices();
    const out: FleetWindow[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < devices.length) {
        const deviceId = devices[next++] as string;
        const points = await this.speed.readSeries({ deviceId, metric }, resolution, from, to);
        for (const p of points) out.push({ deviceId, windowStart: p.windowStart, aggregate: p.aggregate });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, devices.length) }, worker));
    return out;
  }
}
