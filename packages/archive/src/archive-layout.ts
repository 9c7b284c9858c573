// Where things live under the archive root: Hive partitions by event hour and offset-ranged file names.
import { join } from 'node:path';
import { utcDay, utcHour } from '@lambda-iot/core';

/** Directory of the raw readings (the master dataset) under the archive root. */
export const READINGS_DIR = 'readings';
/** Directory of the batch views and their manifest under the archive root. */
export const BATCH_DIR = 'batch';

/** `date=YYYY-MM-DD/hour=HH` for the hour holding `ts`: the Hive partition path any engine understands. */
export function hourPartition(ts: number): string {
  const h = utcHour(ts);
  return `date=${utcDay(ts)}/hour=${h < 10 ? '0' : ''}${h}`;
}

export function readingsHourDir(root: string, hourStart: number): string {
  return join(root, READINGS_DIR, hourPartition(hourStart));
}

/** Glob of every raw-reading file of one hour (DuckDB `read_parquet` syntax). */
export function readingsHourGlob(root: string, hourStart: number): string {
  return join(readingsHourDir(root, hourStart), '*.parquet');
}

/** The offset range of the flush that wrote a file: the part of its name that makes rewrites idempotent. */
export interface ArchiveFileName {
  partition: number;
  firstOffset: number;
  lastOffset: number;
}

export function archiveFileName(f: ArchiveFileName): string {
  return `part-${f.partition}-${f.firstOffset}-${f.lastOffset}.parquet`;
}

const FILE_PATTERN = /^part-(\d+)-(\d+)-(\d+)\.parquet$/;

/** Parses a name written by `archiveFileName`; undefined for anything else (temp files, compacted files). */
export function parseArchiveFileName(name: string): ArchiveFileName | undefined {
  const m = FILE_PATTERN.exec(name);
  if (m === null) return undefined;
  const f = { partition: Number(m[1]), firstOffset: Number(m[2]), lastOffset: Number(m[3]) };
  if (
    !Number.isSafeInteger(f.firstOffset) ||
    !Number.isSafeInteger(f.lastOffset) ||
    f.lastOffset < f.firstOffset
  ) {
    return undefined;
  }
  return f;
}

const PARTITION_PATTERN = /^date=(\d{4})-(\d{2})-(\d{2})\/hour=(\d{2})$/;

/** Start of the hour a `date=…/hour=…` path names, or undefined if it is not one. */
export function parseHourPartition(path: string): number | undefined {
  const m = PARTITION_PATTERN.exec(path);
  if (m === null) return undefined;
  const hour = Number(m[4]);
  if (hour > 23) return undefined;
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hour);
  return hourPartition(start) === path ? start : undefined;
}
