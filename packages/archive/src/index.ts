// Public API of @lambda-iot/archive: the Parquet master dataset, its layout, and sealed/dirty hours in Redis.
export { ArchiveError } from './errors';
export {
  READINGS_DIR,
  BATCH_DIR,
  hourPartition,
  readingsHourDir,
  readingsHourGlob,
  archiveFileName,
  parseArchiveFileName,
  parseHourPartition,
} from './archive-layout';
export type { ArchiveFileName } from './archive-layout';
export { listArchiveFiles } from './archive-files';
export type { ArchiveFile } from './archive-files';
export { planFlushEnds } from './flush-plan';
export { tempPathFor, fsyncPath, publishFile, writeFileDurably } from './durable-file';
export { layerKeys } from './redis-keys';
export type { LayerKeys } from './redis-keys';
export { ARCHIVE_COLUMNS_SQL, ReadingRows } from './reading-rows';
export type { ArchiveRow } from './reading-rows';
export { ParquetReadingsWriter, fileListSql, kvMetadataOption, sqlString } from './parquet-readings-writer';
export {
  HourOrderTracker,
  MAX_UNORDERED_SERIES,
  TRACKED_HOURS,
  ORDERED_SINCE_KEY,
  UNORDERED_SERIES_KEY,
} from './hour-order-tracker';
export type { HourOrderHandover } from './hour-order-tracker';
export { HANDOVER_HOURS, readHourOrderHandovers } from './hour-order-handover';
export { archiveClaimsSql, readArchiveClaims } from './archive-claims';
export type { ClaimedFile } from './archive-claims';
export { HourLedger, sealedThroughFor } from './hour-ledger';
export type { FlushRecord, HourLedgerOptions } from './hour-ledger';
export { ArchivePartitionHandler } from './archive-partition-handler';
export type {
  ArchivePartitionHandlerOptions,
  ArchiveRejection,
  DeadLetterPublisher,
  FlushInfo,
} from './archive-partition-handler';
export { Archiver, ArchiveHandlerFactory } from './archiver';
export type { ArchiverOptions } from './archiver';
