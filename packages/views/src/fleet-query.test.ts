import { aggregateOf, DAY_MS, HOUR_MS, MINUTE_MS } from '@lambda-iot/core';
import type { Device } from '@lambda-iot/devices';
import { FleetQuery } from './fleet-query';
import { groupFleet, rankDevices, UNTAGGED_GROUP } from './fleet-summary';
import { InMemoryBatchBoundary, InMemorySpeedView } from './in-memory-views';
import { SpeedFleetReader } from './speed-fleet-reader';
import { batchViewOf, speedViewOf, type TestReading } from './test-support/view-fixture';

const DAY = Date.UTC(2024, 5, 1);
const B = DAY + 12 * HOUR_MS;

const readings: TestReading[] = [
  // a: berlin, values 1..4 spread across B
  { deviceId: 'a', metric: 'temp', ts: DAY + HOUR_MS, value: 1 },
  { deviceId: 'a', metric: 'temp', ts: DAY + 11 * HOUR_MS + 59 * MINUTE_MS, value: 2 },
  { deviceId: 'a', metric: 'temp', ts: B, value: 3 },
  { deviceId: 'a', metric: 'temp', ts: B + 2 * HOUR_MS, value: 4 },
  // b: berlin, one high value above B
  { deviceId: 'b', metric: 'temp', ts: B + HOUR_MS, value: 50 },
  // c: paris, below B only
  { deviceId: 'c', metric: 'temp', ts: DAY + 2 * HOUR_MS, value: 7 },
  { deviceId: 'c', metric: 'temp', ts: DAY + 2 * HOUR_MS + 1, value: 9 },
  // d: not in the registry; another metric must not leak in
  { deviceId: 'd', metric: 'temp', ts: B + 3 * HOUR_MS, value: 5 },
  { deviceId: 'a', metric: 'humidity', ts: B, value: 99 },
];
const registry: Device[] = [
  { deviceId: 'a', tags: { site: 'berlin', type: 'pump' }, registeredAt: 0 },
  { deviceId: 'b', tags: { site: 'berlin' }, registeredAt: 0 },
  { deviceId: 'c', tags: { site: 'paris', type: 'pump' }, registeredAt: 0 },
];

function fleetQuery(): FleetQuery {
  const speed = speedViewOf(readings);
  return new FleetQuery({
    batch: batchViewOf(readings, B),
    speed: new SpeedFleetReader(speed, { listDevices: async () => ['a', 'b', 'c', 'd'], concurrency: 2 }),
    boundary: new InMemoryBatchBoundary(B),
  });
}

describe('FleetQuery with groupFleet', () => {
  it('merges each device at B, then each window across the devices of a site', async () => {
    const answer = await fleetQuery().read('temp', '1d', DAY, DAY + DAY_MS);
    expect(answer.boundary).toBe(B);
    expect([...answer.devices.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    const groups = groupFleet(answer.devices, registry, 'site');
    expect(
      groups.map((g) => [
        g.group,
        g.devices,
        g.points.map((p) => [p.count, p.sum, p.max, p.source, p.final]),
      ]),
    ).toEqual([
      [UNTAGGED_GROUP, 1, [[1, 5, 5, 'speed', false]]],
      ['berlin', 2, [[5, 60, 50, 'speed', false]]],
      ['paris', 1, [[2, 16, 9, 'speed', false]]],
    ]);
  });

  it('keeps per-hour windows apart and marks hours below B final', async () => {
    const answer = await fleetQuery().read('temp', '1h', DAY, DAY + DAY_MS);
    const [pumps] = groupFleet(answer.devices, registry, 'type').filter((g) => g.group === 'pump');
    expect(pumps?.points.map((p) => [(p.t - DAY) / HOUR_MS, p.count, p.sum, p.final])).toEqual([
      [1, 1, 1, true],
      [2, 2, 16, true],
      [11, 1, 2, true],
      [12, 1, 3, false],
      [14, 1, 4, false],
    ]);
  });

  it('groups by deviceId without the registry', async () => {
    const answer = await fleetQuery().read('temp', '1d', DAY, DAY + DAY_MS);
    expect(groupFleet(answer.devices, [], 'deviceId').map((g) => g.group)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('rankDevices', () => {
  it('ranks devices over the whole range by max, mean or count, ties by deviceId', async () => {
    const answer = await fleetQuery().read('temp', '1h', DAY, DAY + DAY_MS);
    expect(rankDevices(answer.devices, 'max', 2).map((d) => [d.deviceId, d.max])).toEqual([
      ['b', 50],
      ['c', 9],
    ]);
    expect(rankDevices(answer.devices, 'count', 10).map((d) => [d.deviceId, d.count])).toEqual([
      ['a', 4],
      ['c', 2],
      ['b', 1],
      ['d', 1],
    ]);
    const byMean = rankDevices(answer.devices, 'mean', 10);
    expect(byMean.map((d) => d.deviceId)).toEqual(['b', 'c', 'd', 'a']);
    expect(byMean.find((d) => d.deviceId === 'c')).toMatchObject({ mean: 8, final: true });
    expect(byMean.find((d) => d.deviceId === 'a')).toMatchObject({ mean: 2.5, final: false });
  });
});

describe('SpeedFleetReader', () => {
  it('reads every listed device once with at most `concurrency` reads in flight', async () => {
    const speed = new InMemorySpeedView();
    const agg = aggregateOf([{ ts: DAY, value: 1 }]);
    const ids = Array.from({ length: 10 }, (_, i) => `dev-${i}`);
    for (const deviceId of ids) speed.put({ deviceId, metric: 'temp' }, '1m', DAY, agg);
    let inFlight = 0;
    let peak = 0;
    const slow = {
      source: 'speed' as const,
      readSeries: async (...args: Parameters<InMemorySpeedView['readSeries']>) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return speed.readSeries(...args);
      },
    };
    const reader = new SpeedFleetReader(slow, { listDevices: async () => ids, concurrency: 3 });
    const windows = await reader.readFleet('temp', '1m', DAY, DAY + MINUTE_MS);
    expect(windows.map((w) => w.deviceId).sort()).toEqual([...ids].sort());
    expect(peak).toBe(3);
  });
});
