// What the routes answer from: the queries over the views, the registry, the pipeline status and the limits.
import type { Clock } from '@lambda-iot/core';
import type { DeviceRegistry } from '@lambda-iot/devices';
import type {
  BatchBoundaryReader,
  FleetQuery,
  LastSeenSource,
  PipelineStatus,
  SeriesQuery,
  StepLimits,
} from '@lambda-iot/views';

export interface ServingLimits extends StepLimits {
  /** Most points a fleet answer may hold across all its groups. */
  maxFleetPoints: number;
  /** Largest `limit` of /v1/top. */
  maxTop: number;
  /** Range used when `from` is omitted. */
  defaultRangeMs: number;
}

export interface ServingContext {
  series: SeriesQuery;
  fleet: FleetQuery;
  registry: Pick<DeviceRegistry, 'list'>;
  /** When devices last reported; without it /v1/devices answers lastSeen null. */
  lastSeen?: LastSeenSource;
  status: PipelineStatus;
  boundary: BatchBoundaryReader;
  clock: Clock;
  limits: ServingLimits;
}
