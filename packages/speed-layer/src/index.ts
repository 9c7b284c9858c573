// Public API of @lambda-iot/speed-layer: the windowing engine, its partition handler, the sinks and the speed views.
export { SpeedLayerError, SinkError } from './errors';
export { Watermark } from './watermark';
export { WindowEngine, DEFAULT_OUT_OF_ORDERNESS_MS, DEFAULT_ALLOWED_LATENESS_MS } from './window-engine';
export type { WindowEngineOptions, ReadingOutcome, EngineCounters } from './window-engine';
export { encodeCheckpointMetadata, decodeCheckpointMetadata } from './partition-checkpoint';
export type { PartitionCheckpoint } from './partition-checkpoint';
export type { WindowSink, WindowUpdate } from './window-sink';
export { encodeWindowValue, decodeWindowValue } from './window-value-codec';
export type { StoredWindow } from './window-value-codec';
export { seriesDayKey, seriesDayKeyAt, partitionStatusKey, lastSeenKey } from './redis-speed-keys';
export { RedisLastSeen } from './redis-last-seen';
export type { RedisLastSeenOptions } from './redis-last-seen';
export { RedisWindowSink, DEFAULT_REDIS_TTL_MS } from './redis-window-sink';
export type { RedisWindowSinkOptions } from './redis-window-sink';
export {
  CassandraWindowSink,
  ensureSpeedTable,
  SPEED_TABLE,
  SPEED_TABLE_CQL,
  DEFAULT_CASSANDRA_CONCURRENCY,
} from './cassandra-window-sink';
export type { CassandraWindowSinkOptions } from './cassandra-window-sink';
export { RedisSpeedView } from './redis-speed-view';
export type { RedisSpeedViewOptions, RedisMinuteRead } from './redis-speed-view';
export type { SpeedMinute, MinuteSource } from './speed-minute';
export { SettledSpeedView } from './settled-speed-view';
export type { SettledSpeedViewOptions } from './settled-speed-view';
export { CassandraSpeedView, aggregateFromRow } from './cassandra-speed-view';
export type { CassandraSpeedViewOptions } from './cassandra-speed-view';
export { FallbackSpeedView } from './fallback-speed-view';
export type { FallbackSpeedViewOptions } from './fallback-speed-view';
export { PendingWrites } from './pending-writes';
export { decodeRecord } from './record-decoder';
export type { DecodedRecord } from './record-decoder';
export type { SpeedObserver, RecordCounts } from './speed-observer';
export {
  SpeedPartitionHandler,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_DURABLE_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_UNWRITTEN_WINDOWS,
  SINK_BACKOFF,
} from './speed-partition-handler';
export type { SpeedHandlerOptions, PartitionStats, DeadLetterPublisher } from './speed-partition-handler';
export { SpeedHandlerFactory } from './speed-handler-factory';
export { partitionStatusOf } from './partition-status';
export type { PartitionStatus } from './partition-status';
