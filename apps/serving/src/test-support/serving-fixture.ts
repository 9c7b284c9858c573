// An app over in-memory views holding known data, for the HTTP and browser tests.
import { HOUR_MS, ManualClock, MINUTE_MS } from '@lambda-iot/core';
import type { Device, DeviceRegistry } from '@lambda-iot/devices';
import { silentLogger } from '@lambda-iot/runtime';
import {
  InMemoryBatchBoundary,
  InMemoryBatchView,
  InMemoryPipelineStatus,
  InMemorySpeedView,
  type LastSeenSource,
} from '@lambda-iot/views';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { buildApp, type ServingOptions } from '../build-app';
import { aggregatesOf } from './window-truth';

export { aggregatesOf };

export const TOKEN = 'test-token-1';
export const DAY = Date.UTC(2024, 5, 1);
/** The batch boundary: 18:00 on the first day. */
export const B = DAY + 18 * HOUR_MS;
/** The clock: 23:30 on the first day. */
export const NOW = DAY + 23 * HOUR_MS + 30 * MINUTE_MS;

export const DEVICES: Device[] = [
  { deviceId: 'pump-1', tags: { site: 'berlin', type: 'pump' }, registeredAt: DAY - HOUR_MS },
  { deviceId: 'pump-2', tags: { site: 'berlin', type: 'pump' }, registeredAt: DAY - HOUR_MS },
  { deviceId: 'fan-1', tags: { site: 'paris', type: 'fan' }, registeredAt: DAY - HOUR_MS },
];

export interface Reading {
  deviceId: string;
  ts: number;
  value: number;
}

/** A reading every 10 minutes for each device from 00:00 to NOW; values differ per device. */
export function fixtureReadings(): Reading[] {
  const out: Reading[] = [];
  DEVICES.forEach((d, i) => {
    for (let ts = DAY; ts < NOW; ts += 10 * MINUTE_MS)
      out.push({ deviceId: d.deviceId, ts, value: 10 * (i + 1) + ((ts / MINUTE_MS) % 7) });
  });
  return out;
}

export class InMemoryRegistry implements Pick<DeviceRegistry, 'list'> {
  constructor(readonly devices: Device[]) {}
  async list(): Promise<Device[]> {
    return this.devices.map((d) => ({ ...d }));
  }
}

/** When each device last reported, from the fixture's readings; devices without readings are never seen. */
export class ReadingsLastSeen implements LastSeenSource {
  constructor(private readonly readings: readonly Reading[]) {}
  async lastSeen(deviceIds: readonly string[]): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    for (const r of this.readings)
      if (deviceIds.includes(r.deviceId))
        seen.set(r.deviceId, Math.max(r.ts, seen.get(r.deviceId) ?? -Infinity));
    return seen;
  }
}

export interface ServingFixture {
  app: FastifyInstance;
  batch: InMemoryBatchView;
  speed: InMemorySpeedView;
  boundary: InMemoryBatchBoundary;
  status: InMemoryPipelineStatus;
  metrics: Registry;
  readings: Reading[];
}

/** Batch view complete below B at every resolution, speed view holding every minute (below B too). */
export async function servingFixture(options: Partial<ServingOptions> = {}): Promise<ServingFixture> {
  const readings = fixtureReadings();
  const batch = new InMemoryBatchView();
  const speed = new InMemorySpeedView();
  for (const d of DEVICES) {
    const key = { deviceId: d.deviceId, metric: 'temperature' };
    for (const res of ['1m', '1h', '1d'] as const) {
      const size = res === '1m' ? MINUTE_MS : res === '1h' ? HOUR_MS : 24 * HOUR_MS;
      for (const [start, agg] of aggregatesOf(readings, d.deviceId, res)) {
        if (start + size <= B) batch.put(key, res, start, agg);
      }
    }
    for (const [start, agg] of aggregatesOf(readings, d.deviceId, '1m')) speed.put(key, '1m', start, agg);
  }
  const boundary = new InMemoryBatchBoundary(B);
  const status = new InMemoryPipelineStatus({
    partitions: [
      {
        partition: 0,
        watermark: NOW - 5_000,
        lag: 12,
        late: 3,
        duplicates: 1,
        openWindows: 4,
        updatedAt: NOW - 1_000,
      },
      {
        partition: 1,
        watermark: NOW - 9_000,
        lag: 30,
        late: 4,
        duplicates: 0,
        openWindows: 2,
        updatedAt: NOW - 1_000,
      },
    ],
    dirtyHours: [DAY + 3 * HOUR_MS],
    dirtyHourCount: 1,
    sealedThrough: B + HOUR_MS,
  });
  const metrics = new Registry();
  const app = await buildApp(
    {
      batch,
      speed,
      boundary,
      registry: new InMemoryRegistry(DEVICES),
      // fan-1 has never reported to the speed layer in this fixture.
      lastSeen: new ReadingsLastSeen(readings.filter((r) => r.deviceId !== 'fan-1')),
      status,
      clock: new ManualClock(NOW),
      logger: silentLogger,
      metrics,
    },
    { tokens: [TOKEN, 'other-token'], ...options },
  );
  return { app, batch, speed, boundary, status, metrics, readings };
}
