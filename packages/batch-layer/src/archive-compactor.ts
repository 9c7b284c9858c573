// compact-hour: merges an hour's small archive files of committed offset ranges into one file per run.
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  archiveClaimsSql,
  archiveFileName,
  fileListSql,
  kvMetadataOption,
  parseArchiveFileName,
  publishFile,
  readingsHourDir,
  sqlString,
  tempPathFor,
  type ArchiveFileName,
} from '@lambda-iot/archive';
import type { BatchComputer } from './batch-computer';

export interface HourFile extends ArchiveFileName {
  name: string;
}

export interface CompactionPlan {
  /** Contiguous runs of one partition's files, each merged into one file named by the run's range. */
  merges: Array<{ target: ArchiveFileName; sources: HourFile[] }>;
  /** Files whose range lies inside another file's (left by a compaction that crashed before deleting). */
  redundant: HourFile[];
}

/**
 * Only files whose whole range is below the archiver group's committed offset are touched: the archiver never
 * replays those, so it cannot rewrite a merged-away name and overlap the merged file. Merging keeps the
 * `part-<partition>-<first>-<last>` naming, so the archive's invariants (one row per partition offset and
 * reading, disjoint ranges per partition and hour) hold before, during and after a compaction.
 */
export function planCompaction(
  files: readonly HourFile[],
  committed: ReadonlyMap<number, number>,
): CompactionPlan {
  const merges: CompactionPlan['merges'] = [];
  const redundant: HourFile[] = [];
  const byPartition = new Map<number, HourFile[]>();
  for (const f of files) byPartition.set(f.partition, [...(byPartition.get(f.partition) ?? []), f]);
  for (const [partition, list] of byPartition) {
    // Widest first among equal starts, so contained files are found by a single sweep.
    list.sort((a, b) => a.firstOffset - b.firstOffset || b.lastOffset - a.lastOffset);
    const kept: HourFile[] = [];
    for (const f of list) {
      const last = kept[kept.length - 1];
      if (last !== undefined && f.lastOffset <= last.lastOffset) redundant.push(f);
      else kept.push(f);
    }
    const limit = committed.get(partition);
    if (limit === undefined) continue;
    // Runs need not be adjacent offsets: a gap is a range whose readings all fell into other hours.
    const run = kept.filter((f) => f.lastOffset < limit);
    if (run.length >= 2) {
      const target = {
        partition,
        firstOffset: (run[0] as HourFile).firstOffset,
        lastOffset: (run[run.length - 1] as HourFile).lastOffset,
      };
      merges.push({ target, sources: run });
    }
  }
  return { merges, redundant };
}

export interface ArchiveCompactorOptions {
  root: string;
  computer: BatchComputer;
  /** Next offset to read per partition, as committed by the archiver's consumer group. */
  committedOffsets: () => Promise<ReadonlyMap<number, number>>;
}

export interface CompactionResult {
  hourStart: number;
  merged: number;
  removed: number;
  filesBefore: number;
}

export class ArchiveCompactor {
  constructor(private readonly options: ArchiveCompactorOptions) {}

  async listHour(hourStart: number): Promise<HourFile[]> {
    const dir = readingsHourDir(this.options.root, hourStart);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names.flatMap((name) => {
      const parsed = parseArchiveFileName(name);
      return parsed ? [{ ...parsed, name }] : [];
    });
  }

  /**
   * Writes each merged file (temp, fsync, rename) before deleting its sources. Between the two, a reader sees
   * each reading twice with the same partition and offset, which the batch layer's dedup drops; a crash there
   * leaves sources inside the merged range, deleted as redundant by the next run.
   */
  async compactHour(
    hourStart: number,
    progress: (p: number) => Promise<void> | void = () => undefined,
  ): Promise<CompactionResult> {
    const files = await this.listHour(hourStart);
    const plan = planCompaction(files, await this.options.committedOffsets());
    const dir = readingsHourDir(this.options.root, hourStart);
    let removed = 0;
    for (const f of plan.redundant) {
      await rm(join(dir, f.name), { force: true });
      removed++;
    }
    let done = 0;
    for (const { target, sources } of plan.merges) {
      const finalPath = join(dir, archiveFileName(target));
      const temp = tempPathFor(finalPath);
      const db = await this.options.computer.connect();
      const paths = sources.map((s) => join(dir, s.name));
      try {
        // The latest source's claim (its run's start and the series it lists as unordered) is about offsets up to
        // its last one, which is the merged file's last too; the list covers the run's earlier files.
        const latest = join(dir, (sources[sources.length - 1] as HourFile).name);
        const metadata: Record<string, string> = {};
        for (const [, key, value] of (await db.runAndReadAll(archiveClaimsSql([latest]))).getRows()) {
          metadata[String(key)] = String(value);
        }
        await db.run(
          `COPY (SELECT * FROM read_parquet(${fileListSql(paths)}, hive_partitioning = false)
            ORDER BY kafka_offset) TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880${kvMetadataOption(metadata)})`,
        );
        await publishFile(temp, finalPath);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      } finally {
        db.closeSync();
      }
      for (const s of sources) {
        await rm(join(dir, s.name), { force: true });
        removed++;
      }
      done++;
      await progress(Math.round((done / plan.merges.length) * 100));
    }
    return { hourStart, merged: plan.merges.length, removed, filesBefore: files.length };
  }
}
