// Reads back from the archive where a partition's hour runs stood at its last commit, for the partition's next owner.
import type { DuckDBConnection } from '@duckdb/node-api';
import { HOUR_MS } from '@lambda-iot/core';
import { readArchiveClaims } from './archive-claims';
import type { ArchiveFile } from './archive-files';
import type { HourOrderHandover } from './hour-order-tracker';
import { fileListSql } from './parquet-readings-writer';

/**
 * Hours handed over by default: the current one and the one before, the hours a live stream still writes to. Each
 * costs a scan of its files (~0.2 s for 720 files, an hour of 5 s flushes); a late reading for an older hour just
 * starts a new run there, and the batch layer dedups that partition's hour instead of skipping it.
 */
export const HANDOVER_HOURS = 2;

/**
 * The runs of the partition's newest `maxHours` hours as its files left them, for a handler resuming at
 * `committed`. Every reading before `committed` is in a file (a commit follows its flush), so the latest
 * committed file of an hour carries the run's claim up to the commit, and the greatest archived ts of each series
 * in the claim's range bounds the series' last reading: readings the next owner sees above it continue the run.
 * Hours whose latest file claims nothing, or with a file straddling `committed` (not a flush this archiver
 * commits), are left out: their new run starts at the first offset read, as without a handover. Files at or after
 * `committed` were flushed by a run that crashed before committing; the replay rewrites them, so they are not read.
 */
export async function readHourOrderHandovers(
  db: DuckDBConnection,
  files: readonly ArchiveFile[],
  committed: number | undefined,
  maxHours = HANDOVER_HOURS,
): Promise<HourOrderHandover[]> {
  if (committed === undefined) return [];
  const byHour = new Map<number, ArchiveFile[]>();
  const straddling = new Set<number>();
  for (const f of files) {
    if (f.firstOffset >= committed) continue;
    if (f.lastOffset >= committed) straddling.add(f.hourStart);
    let list = byHour.get(f.hourStart);
    if (list === undefined) byHour.set(f.hourStart, (list = []));
    list.push(f);
  }
  const hours = [...byHour.keys()]
    .filter((h) => !straddling.has(h))
    .sort((a, b) => b - a)
    .slice(0, maxHours);
  const latest = hours.map((h) =>
    (byHour.get(h) as ArchiveFile[]).reduce((a, b) => (b.lastOffset > a.lastOffset ? b : a)),
  );
  const claims = await readArchiveClaims(
    db,
    latest.map((f) => f.path),
  );
  const runs: Array<Omit<HourOrderHandover, 'last'>> = [];
  const inRange: string[] = [];
  hours.forEach((hour, i) => {
    const claim = claims[i];
    const file = latest[i] as ArchiveFile;
    if (claim?.orderedSince === undefined) return;
    const since = claim.orderedSince;
    runs.push({ hour, since, offset: file.lastOffset, unordered: claim.unordered ?? [] });
    for (const f of byHour.get(hour) as ArchiveFile[]) if (f.lastOffset >= since) inRange.push(f.path);
  });
  if (runs.length === 0) return [];
  const last = new Map<number, Map<string, Map<string, number>>>(runs.map((r) => [r.hour, new Map()]));
  const result = await db.runAndReadAll(
    `SELECT ts // ${HOUR_MS} * ${HOUR_MS} AS hour, device_id, metric, max(ts) AS last_ts
     FROM read_parquet(${fileListSql(inRange)}, hive_partitioning = false)
     GROUP BY ALL`,
  );
  for (const [hour, deviceId, metric, lastTs] of result.getRows()) {
    const series = last.get(Number(hour));
    if (series === undefined) continue;
    let metrics = series.get(String(deviceId));
    if (metrics === undefined) series.set(String(deviceId), (metrics = new Map()));
    metrics.set(String(metric), Number(lastTs));
  }
  return runs.map((r) => ({ ...r, last: last.get(r.hour) as Map<string, Map<string, number>> }));
}
