// Public API of @lambda-iot/anomaly: baselines (fit, artifact, hot reload), the detector and its alerts, and their stores.
export { AnomalyError, BaselineModelError, AlertStoreError, OnlineBaselineStoreError } from './errors';
export { MAD_TO_SIGMA, median, robustStatsOf, robustZ, signedRobustZ } from './robust-stats';
export type { RobustStats } from './robust-stats';
export { BASELINE_FORMAT, seriesKey, hourOfDay, resolveBaseline, parseBaselineModel } from './baseline-model';
export type {
  BaselineModel,
  BaselineParams,
  BaselineSource,
  ResolvedBaseline,
  SeasonalBaseline,
} from './baseline-model';
export { fitBaselineModel } from './baseline-fitting';
export type { MinuteMean, FitRequest } from './baseline-fitting';
export { BaselineFitter, minuteFilesFor } from './baseline-fitter';
export type { BaselineFitterOptions, FileFitRequest } from './baseline-fitter';
export { FileBaselineStore, baselinePointerKey, baselinePath, newBaselineVersion } from './baseline-store';
export type { BaselineStore, FileBaselineStoreOptions } from './baseline-store';
export { BaselineWatcher } from './baseline-watcher';
export type { BaselineWatcherOptions } from './baseline-watcher';
export { DEFAULT_DETECTOR_CONFIG, detectorConfig } from './detector-config';
export type { DetectorConfig, MetricRule } from './detector-config';
export { ALERT_KINDS, alertId, isAlertKind } from './alert-event';
export type { AlertEvent, AlertKind, AlertState } from './alert-event';
export { AlertTracker } from './alert-tracker';
export type { Verdict } from './alert-tracker';
export { AnomalyDetector, ONLINE_BASELINE_VERSION, SCORE_AT } from './anomaly-detector';
export { DriftCusum } from './drift-cusum';
export type { DriftCusumOptions } from './drift-cusum';
export { OnlineBaseline, isOnlineBaselineSnapshot } from './online-baseline';
export type { OnlineBaselineOptions, OnlineBaselineSnapshot } from './online-baseline';
export type { OnlineBaselineStore, OnlineBaselineChanges } from './online-baseline-store';
export { MemoryOnlineBaselineStore } from './memory-online-baseline-store';
export { RedisOnlineBaselineStore, onlineBaselinesKey } from './redis-online-baseline-store';
export type { RedisOnlineBaselineStoreOptions } from './redis-online-baseline-store';
export { ReadingNoise, readingStep, windowSpread } from './reading-noise';
export type { AnomalyDetectorOptions, ClosedWindow, ScoreAt, WindowState } from './anomaly-detector';
export { compareAlerts, eventRank } from './alert-store';
export type { AlertStore, AlertQuery, AlertStateFilter } from './alert-store';
export { MemoryAlertStore } from './memory-alert-store';
export {
  CassandraAlertStore,
  ensureAlertsTable,
  ALERTS_TABLE,
  ALERTS_TABLE_CQL,
} from './cassandra-alert-store';
export type { CassandraAlertStoreOptions } from './cassandra-alert-store';
export { RedisAlertStore, alertKeys, DEFAULT_ALERT_RETENTION_MS } from './redis-alert-store';
export type { RedisAlertStoreOptions, AlertKeys } from './redis-alert-store';
export { AlertPublisher, alertRecord } from './alert-publisher';
export type { AlertPublisherOptions } from './alert-publisher';
export { parseMetricRules, SIMULATED_METRIC_RULES } from './metric-rules';
export {
  BaselineJob,
  BASELINE_QUEUE,
  RECOMPUTE_BASELINES_JOB,
  RECOMPUTE_BASELINES_OPTIONS,
  recomputeBaselinesJobId,
} from './baseline-job';
export type { BaselineJobOptions, BaselineJobResult } from './baseline-job';
export { AlertReader } from './alert-reader';
export type { AlertReaderOptions } from './alert-reader';
