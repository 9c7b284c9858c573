// Key layout of the hot speed view in Redis, shared by the sink that writes it and the view that reads it.
import { utcDay } from '@lambda-iot/core';

/**
 * One hash per series and UTC day: `<prefix>speed:1m:<deviceId>|<metric>|<YYYY-MM-DD>`, field = window start
 * (epoch ms, decimal), value = the encoded window (see encodeWindowValue). A day of 1-minute windows is at most
 * 1440 fields, so a range read is one HGETALL per day, and the TTL expires whole days at once. '|' cannot
 * occur in an id, so keys are unambiguous even though ids may contain ':'.
 */
export function seriesDayKey(keyPrefix: string, deviceId: string, metric: string, day: string): string {
  return `${keyPrefix}speed:1m:${deviceId}|${metric}|${day}`;
}

export function seriesDayKeyAt(keyPrefix: string, deviceId: string, metric: string, ts: number): string {
  return seriesDayKey(keyPrefix, deviceId, metric, utcDay(ts));
}

/** Hash of per-partition status the serving app shows: field = partition, value = JSON PartitionStatus. */
export function partitionStatusKey(keyPrefix: string): string {
  return `${keyPrefix}speed:partitions`;
}

/**
 * Hash of each device's last seen event time: field = deviceId, value = epoch ms of the latest reading the speed
 * layer counted. Written with the window flush that contains it, only ever raised.
 */
export function lastSeenKey(keyPrefix: string): string {
  return `${keyPrefix}speed:last-seen`;
}
