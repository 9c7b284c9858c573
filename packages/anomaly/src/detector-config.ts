// What the detector treats as anomalous: thresholds, persistence counts and per-metric physical rules.

/** Per-metric rules; metrics without an entry use the defaults. */
export interface MetricRule {
  /** Physical bounds; a window whose min or max falls outside raises `out_of_range`. */
  min?: number;
  max?: number;
  /** Smallest robust scale (in the metric's unit) a deviation is measured against: the sensor's resolution. */
  scaleFloor?: number;
  /**
   * For metrics whose readings have isolated outliers (a bearing knock), which keep `scaleFloor` high so that
   * they raise no spikes: drift is then judged on the window's mean without its lowest and highest reading
   * (`trimmedMean`), which one outlier cannot move, against this finer floor. Unset, drift is judged like spikes,
   * on the plain mean against `scaleFloor` (the trimmed mean is a little noisier, which costs precision where
   * there are no outliers to remove).
   */
  driftScaleFloor?: number;
  /** False for metrics a seasonal baseline cannot describe (monotonic counters): no spike/drift scoring. */
  baseline?: boolean;
}

export interface DetectorConfig {
  /** Robust z at or above which an abrupt deviation is a `spike`. */
  spikeThreshold: number;
  /**
   * A spike's onset must also show a jump between readings (a window's range, or the step from the previous
   * window's last reading) of at least this many times the series' reading noise: what tells a step from a
   * steep ramp, whose window means move as fast but whose readings do not jump.
   */
  spikeStep: number;
  /** Robust z at or above which a window deviates moderately; `drift` after `driftWindows` in a row. */
  driftThreshold: number;
  driftWindows: number;
  /**
   * A drift also opens when a one-sided CUSUM of the windows' signed robust z (either way, see `DriftCusum`)
   * reaches `driftCusumThreshold` (h), each window adding its z less `driftCusumSlack` (k), its |z| clipped at
   * `driftCusumCap`: a ramp starts counting before it reaches `driftThreshold`, and a large offset needs fewer
   * windows than a marginal one. Scored only against the series' own batch baseline. Infinity turns it off.
   */
  driftCusumSlack: number;
  driftCusumThreshold: number;
  driftCusumCap: number;
  /**
   * Minutes of identical readings that make a `stuck` sensor, judged on the windows' aggregates as they arrive
   * (see `ConstantRun`): with readings every 10 s, 7 in a row for 1 minute.
   */
  stuckMinutes: number;
  /**
   * Minutes of partition event time (its watermark) without a reading from a series that make a `gap`, judged
   * as soon as they have passed when the open windows are watched, else when a minute completes.
   */
  gapMinutes: number;
  /** Clean windows after which an open alert resolves. */
  resolveWindows: number;
  /**
   * Series the batch baseline does not cover (a device without history, scored against its type's pool) learn
   * their own online baseline from this many normal windows on, and score drifts and spikes against it.
   */
  onlineMinWindows: number;
  /** Normal windows the online baseline's local trend is fitted over. */
  onlineMaxWindows: number;
  /**
   * Minutes without a learned window after which the online baseline starts learning again: its local trend is
   * extrapolated that far at most (a daily cycle bends away from a straight line within about an hour).
   */
  onlineMaxAgeMinutes: number;
  defaultScaleFloor: number;
  metrics: Readonly<Record<string, MetricRule>>;
}

/**
 * Persistence is as short as the evaluation allows (bench/RESULTS.md, "Anomaly detection"): one minute of identical
 * readings or of silence raises stuck and gap alerts within two minutes of their start at no loss of precision on
 * the simulator's fleet; drift needs three windows past its threshold (two cost precision below 0.9 and raise false
 * drifts on a normal day). The drift CUSUM (k 1.5, h 5, cap 4) raises the simulator's ramps about a minute after
 * their threshold instead of three, at the same precision and normal-day alerts on all five evaluated seeds: a
 * smaller slack or threshold (k 1; k 1.5 with h 3 or 4) fills the sum with a normal day's level wander and raises
 * false drifts; a cap h or more above the slack lets one window (a spike's partial first one) open a drift and
 * take the spike's place. A deployment whose devices report less often than every minute or so, or whose
 * sensors repeat values at coarse resolution, raises `gapMinutes` and `stuckMinutes`.
 */
export const DEFAULT_DETECTOR_CONFIG: Readonly<DetectorConfig> = Object.freeze({
  spikeThreshold: 6,
  spikeStep: 6,
  driftThreshold: 3,
  driftWindows: 3,
  driftCusumSlack: 1.5,
  driftCusumThreshold: 5,
  driftCusumCap: 4,
  stuckMinutes: 1,
  gapMinutes: 1,
  resolveWindows: 3,
  onlineMinWindows: 30,
  onlineMaxWindows: 60,
  onlineMaxAgeMinutes: 45,
  defaultScaleFloor: 1e-6,
  metrics: Object.freeze({}),
});

export function detectorConfig(partial: Partial<DetectorConfig> = {}): Readonly<DetectorConfig> {
  return Object.freeze({ ...DEFAULT_DETECTOR_CONFIG, ...partial });
}
