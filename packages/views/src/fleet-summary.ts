// Fleet answers analysts ask for: windows merged across the devices sharing a tag, and devices ranked.
import { cloneAggregate, deriveStats, emptyAggregate, mergeInto, type Aggregate } from '@lambda-iot/core';
import type { Device } from '@lambda-iot/devices';
import type { MergedWindow } from './boundary-merge';
import { toSeriesPoint, type SeriesPoint } from './series-point';

export const FLEET_GROUP_BYS = ['site', 'type', 'deviceId'] as const;
export type FleetGroupBy = (typeof FLEET_GROUP_BYS)[number];

/** The group of devices that lack the tag grouped by (or are missing from the registry). */
export const UNTAGGED_GROUP = '(none)';

export interface FleetGroup {
  /** The tag value (or the deviceId), `UNTAGGED_GROUP` for devices without the tag. */
  group: string;
  /** Devices of the group with data in the range. */
  devices: number;
  points: SeriesPoint[];
}

/**
 * Merges each window's aggregates across the devices of a group. Groups sorted by name, points by time.
 * A group window is final only when every device's window in it is.
 */
export function groupFleet(
  perDevice: ReadonlyMap<string, readonly MergedWindow[]>,
  registry: readonly Device[],
  groupBy: FleetGroupBy,
): FleetGroup[] {
  const tagsOf = new Map(registry.map((d) => [d.deviceId, d.tags]));
  const groups = new Map<string, { devices: number; windows: Map<number, MergedWindow> }>();
  for (const [deviceId, windows] of perDevice) {
    const name = groupBy === 'deviceId' ? deviceId : (tagsOf.get(deviceId)?.[groupBy] ?? UNTAGGED_GROUP);
    let group = groups.get(name);
    if (group === undefined) {
      group = { devices: 0, windows: new Map() };
      groups.set(name, group);
    }
    group.devices += 1;
    for (const w of windows) {
      const existing = group.windows.get(w.windowStart);
      if (existing === undefined) {
        group.windows.set(w.windowStart, { ...w, aggregate: cloneAggregate(w.aggregate) });
      } else {
        mergeInto(existing.aggregate, w.aggregate);
        if (!w.final) {
          existing.final = false;
          existing.source = 'speed';
        }
      }
    }
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, g]) => ({
      group,
      devices: g.devices,
      points: [...g.windows.values()].sort((a, b) => a.windowStart - b.windowStart).map(toSeriesPoint),
    }));
}

export const RANK_BYS = ['max', 'mean', 'count'] as const;
export type RankBy = (typeof RANK_BYS)[number];

export interface RankedDevice {
  deviceId: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  first: number;
  last: number;
  /** True when every window of the range came from the batch view. */
  final: boolean;
}

/** The `limit` devices with the highest `by` over the whole range; ties broken by deviceId, ascending. */
export function rankDevices(
  perDevice: ReadonlyMap<string, readonly MergedWindow[]>,
  by: RankBy,
  limit: number,
): RankedDevice[] {
  const ranked: RankedDevice[] = [];
  for (const [deviceId, windows] of perDevice) {
    const total: Aggregate = emptyAggregate();
    let final = true;
    for (const w of windows) {
      mergeInto(total, w.aggregate);
      final &&= w.final;
    }
    if (total.count === 0) continue;
    const { mean, stddev } = deriveStats(total);
    ranked.push({
      deviceId,
      count: total.count,
      sum: total.sum,
      min: total.min,
      max: total.max,
      mean,
      stddev,
      first: total.first,
      last: total.last,
      final,
    });
  }
  ranked.sort((a, b) => b[by] - a[by] || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
  return ranked.slice(0, limit);
}
