// What the detector treats as anomalous: thresholds, persistence counts and per-metric physical rules.

/** Per-metric rules; metrics without an entry use the defaults. */
export interface MetricRule {
  /** Physical bounds; a window whose min or max falls outside raises `out_of_range`. */
  min?: number;
  max?: number;
  /** Smallest robust scale (in the metric's unit) a deviation is measured against: the sensor's resolution. */
  scaleFloor?: number;
  /** False for metrics a seasonal baseline cannot describe (monotonic counters): no spike/drift scoring. */
  baseline?: boolean;
}

export interface DetectorConfig {
  /** Robust z at or above which an abrupt deviation is a `spike`. */
  spikeThreshold: number;
  /** Robust z at or above which a window deviates moderately; `drift` after `driftWindows` in a row. */
  driftThreshold: number;
  driftWindows: number;
  /** Consecutive zero-variance windows (count ≥ 2, min == max) that make a `stuck` sensor. */
  stuckWindows: number;
  /** Minutes of partition event time without a window from a series that make a `gap`. */
  gapMinutes: number;
  /** Clean windows after which an open alert resolves. */
  resolveWindows: number;
  defaultScaleFloor: number;
  metrics: Readonly<Record<string, MetricRule>>;
}

export const DEFAULT_DETECTOR_CONFIG: Readonly<DetectorConfig> = Object.freeze({
  spikeThreshold: 6,
  driftThreshold: 3,
  driftWindows: 5,
  stuckWindows: 5,
  gapMinutes: 5,
  resolveWindows: 3,
  defaultScaleFloor: 1e-6,
  metrics: Object.freeze({}),
});

export function detectorConfig(partial: Partial<DetectorConfig> = {}): Readonly<DetectorConfig> {
  return Object.freeze({ ...DEFAULT_DETECTOR_CONFIG, ...partial });
}
