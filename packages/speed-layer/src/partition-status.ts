// The per-partition status record the speed app publishes for the serving app (Redis hash speed:partitions).
import type { PartitionStats } from './speed-partition-handler';

/** JSON value of one field of `<prefix>speed:partitions`; watermark is null before the first reading. */
export interface PartitionStatus {
  watermark: number | null;
  lag: number;
  late: number;
  duplicates: number;
  openWindows: number;
  updatedAt: number;
}

export function partitionStatusOf(stats: PartitionStats, lag: number, now: number): PartitionStatus {
  return {
    watermark: Number.isFinite(stats.watermark) ? stats.watermark : null,
    lag,
    late: stats.late,
    duplicates: stats.duplicates,
    openWindows: stats.openWindows,
    updatedAt: now,
  };
}
