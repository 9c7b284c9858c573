// Paths of batch-view versions: `batch/v=<version>/res=<1m|1h|1d>/date=…[/hour=…]/part-0.parquet`.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { utcDay, type Resolution } from '@lambda-iot/core';
import { BATCH_DIR, hourPartition } from '@lambda-iot/archive';

export const BATCH_FILE = 'part-0.parquet';
export const MANIFEST_FILE = 'manifest.json';

export function batchRoot(root: string): string {
  return join(root, BATCH_DIR);
}

export function versionDir(root: string, version: string): string {
  return join(root, BATCH_DIR, `v=${version}`);
}

/** The file of one hour (1m, 1h) or one day (1d) inside a version. */
export function batchFilePath(root: string, version: string, res: Resolution, periodStart: number): string {
  const partition = res === '1d' ? `date=${utcDay(periodStart)}` : hourPartition(periodStart);
  return join(versionDir(root, version), `res=${res}`, partition, BATCH_FILE);
}

/** A new version name: which period it covers, from which input generation, and a random part for uniqueness. */
export function newVersion(kind: 'h' | 'd', periodStart: number, generation: number): string {
  return `${kind}${periodStart}-g${generation}-${randomBytes(4).toString('hex')}`;
}

const VERSION_DIR = /^v=([A-Za-z0-9-]+)$/;

export function parseVersionDir(name: string): string | undefined {
  return VERSION_DIR.exec(name)?.[1];
}
