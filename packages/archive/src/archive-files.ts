// Listing what is already in the archive: the hours with data and the files a partition has written.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  READINGS_DIR,
  parseArchiveFileName,
  parseHourPartition,
  type ArchiveFileName,
} from './archive-layout';

export interface ArchiveFile extends ArchiveFileName {
  hourStart: number;
  path: string;
}

/** Every raw-reading file in the archive (optionally of one Kafka partition), from a directory walk. */
export async function listArchiveFiles(root: string, partition?: number): Promise<ArchiveFile[]> {
  const base = join(root, READINGS_DIR);
  const out: ArchiveFile[] = [];
  for (const date of await readdirOrEmpty(base)) {
    if (!date.startsWith('date=')) continue;
    for (const hour of await readdirOrEmpty(join(base, date))) {
      const hourStart = parseHourPartition(`${date}/${hour}`);
      if (hourStart === undefined) continue;
      const dir = join(base, date, hour);
      for (const name of await readdirOrEmpty(dir)) {
        const parsed = parseArchiveFileName(name);
        if (parsed === undefined || (partition !== undefined && parsed.partition !== partition)) continue;
        out.push({ ...parsed, hourStart, path: join(dir, name) });
      }
    }
  }
  return out;
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}
