// Public API of @lambda-iot/batch-layer: batch jobs over the archive, the versioned batch view and its reader.
export { BatchError } from './errors';
export {
  BATCH_FILE,
  MANIFEST_FILE,
  batchRoot,
  versionDir,
  batchFilePath,
  newVersion,
  parseVersionDir,
} from './batch-layout';
export {
  hourField,
  dayField,
  parseHourEntry,
  parseDayEntry,
  hoursOfDay,
  dayInputs,
  isDayCurrent,
  isHourCurrent,
  computeBoundary,
  dayStartOf,
} from './manifest';
export type { HourEntry, DayEntry, BoundaryInputs } from './manifest';
export { BatchManifest } from './batch-manifest';
export type { BatchManifestOptions, PublishResult } from './batch-manifest';
export { RedisBatchBoundary } from './batch-boundary';
export {
  VIEW_COLUMNS,
  minuteAggregatesSql,
  orderedMinuteAggregatesSql,
  deleteDevicesSql,
  minuteAggregatesOfSql,
  dedupRowsSql,
  windowAggregatesSql,
  provenCopiesSql,
  withoutCopiesSql,
  readArchiveSql,
  suspectRowsSql,
  rollupSql,
  viewSelectSql,
  viewAsStructsSql,
} from './aggregate-sql';
export { proveHour, provesNoDuplicates } from './duplicate-free-proof';
export type { HourProof } from './duplicate-free-proof';
export { MAX_SPLIT_DEVICES, computeMinuteAggregates, splitAggregatesSql } from './minute-aggregates';
export type { DedupOutcome, SplitAggregatesSql } from './minute-aggregates';
export { BatchComputer } from './batch-computer';
export type { BatchComputerOptions, HourResult, DayResult, ProgressReporter } from './batch-computer';
export { DuckDbBatchView } from './duckdb-batch-view';
export type { DuckDbBatchViewOptions, FleetPoint } from './duckdb-batch-view';
export {
  JOB_NAMES,
  BatchQueue,
  jobOptions,
  recomputeJobId,
  rollupJobId,
  compactJobId,
  dayStartOfJob,
} from './batch-queue';
export type {
  BatchQueueOptions,
  BatchJobData,
  RecomputeHourData,
  RollupDayData,
  CompactHourData,
} from './batch-queue';
export { ArchiveCompactor, planCompaction } from './archive-compactor';
export type {
  ArchiveCompactorOptions,
  CompactionPlan,
  CompactionResult,
  HourFile,
} from './archive-compactor';
export { BatchWorker } from './batch-worker';
export type { BatchWorkerOptions } from './batch-worker';
export { BatchScheduler, planSchedule } from './batch-scheduler';
export type { BatchSchedulerOptions, SchedulePlan, ScheduleInputs } from './batch-scheduler';
export { VersionCollector } from './version-collector';
export type { VersionCollectorOptions } from './version-collector';
