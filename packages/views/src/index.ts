// Public surface of @lambda-iot/views.
export type {
  SeriesKey,
  WindowPoint,
  ViewSource,
  SeriesView,
  SpeedView,
  BatchView,
  BatchBoundaryReader,
  FleetWindow,
  FleetView,
} from './series-view';
export { alignRange, planReads, mergeAtBoundary } from './boundary-merge';
export type { ReadSpan, ReadPlan, MergedWindow, PlanAnswers } from './boundary-merge';
export { toSeriesPoint } from './series-point';
export type { SeriesPoint } from './series-point';
export { DEFAULT_STEP_LIMITS, StepRangeError, checkStep, chooseStep } from './step-choice';
export type { StepLimits } from './step-choice';
export { SeriesQuery } from './series-query';
export type { SeriesQueryDeps, SeriesAnswer } from './series-query';
export { FleetQuery } from './fleet-query';
export type { FleetQueryDeps, FleetAnswer } from './fleet-query';
export { FLEET_GROUP_BYS, UNTAGGED_GROUP, RANK_BYS, groupFleet, rankDevices } from './fleet-summary';
export type { FleetGroupBy, FleetGroup, RankBy, RankedDevice } from './fleet-summary';
export { SpeedFleetReader } from './speed-fleet-reader';
export type { SpeedFleetReaderOptions } from './speed-fleet-reader';
export type { PartitionStatus, PipelineSnapshot, PipelineStatus } from './pipeline-status';
export { RedisPipelineStatus } from './redis-pipeline-status';
export type { RedisPipelineStatusOptions } from './redis-pipeline-status';
export {
  InMemoryBatchView,
  InMemorySpeedView,
  InMemoryBatchBoundary,
  InMemoryPipelineStatus,
} from './in-memory-views';
export { ViewUnavailableError } from './view-errors';
export type { LastSeenSource } from './last-seen';
export { LruCache } from './lru-cache';
export { LastKnownBoundary } from './last-known-boundary';
export type { LastKnownBoundaryOptions } from './last-known-boundary';
export { CachedBatchView } from './cached-batch-view';
export type { BatchVersionOf, CachedBatchViewOptions } from './cached-batch-view';
export { RecentSpeedView } from './recent-speed-view';
export type { RecentSpeedViewOptions } from './recent-speed-view';
