// Scores the closed 1-minute windows of one partition against the baseline and the physical rules, emitting alert events.
import { MINUTE_MS, type Aggregate } from '@lambda-iot/core';
import type { AlertEvent, AlertKind } from './alert-event';
import { AlertTracker, type Verdict } from './alert-tracker';
import { resolveBaseline, seriesKey, type BaselineModel } from './baseline-model';
import type { DetectorConfig, MetricRule } from './detector-config';
import { DriftCusum } from './drift-cusum';
import {
  isOnlineBaselineSnapshot,
  newestWindow,
  OnlineBaseline,
  type OnlineBaselineSnapshot,
} from './online-baseline';
import type { OnlineBaselineChanges } from './online-baseline-store';
import { readingStep, ReadingNoise, windowSpread } from './reading-noise';
import { robustZ, signedRobustZ, type RobustStats } from './robust-stats';

/** A final window: its aggregate will not change any more. */
export interface ClosedWindow {
  deviceId: string;
  metric: string;
  windowStart: number;
  aggregate: Aggregate;
}

export interface AnomalyDetectorOptions {
  config: Readonly<DetectorConfig>;
  /** The baseline to score against right now; read per batch, so a hot reload applies from the next batch. */
  baseline: () => BaselineModel | undefined;
}

interface SeriesState {
  deviceId: string;
  metric: string;
  lastWindowStart: number;
  lastMean: number;
  /** Robust z of the series' previous window; undefined when it could not be scored. */
  prevZ: number | undefined;
  prevPrevZ: number | undefined;
  driftStreak: number;
  /** Accumulated evidence of a drift, and the batch baseline version it was accumulated against. */
  cusum: DriftCusum;
  cusumBasis: string | undefined;
  stuckStreak: number;
  gapReported: boolean;
  /** The previous scored window (for the step across the window boundary) and its reading step. */
  lastAggregate: Aggregate | undefined;
  lastStep: number;
  noise: ReadingNoise;
  /** Only for series the batch baseline does not cover. */
  online: OnlineBaseline | undefined;
}

/** The alert's `baselineVersion` when the series was scored against its own online baseline. */
export const ONLINE_BASELINE_VERSION = 'online';

/** What one window is scored against. */
interface Basis {
  stats: RobustStats;
  version: string;
  source: 'series' | 'online' | 'pool';
}

const CLEAN: Verdict = { kind: 'clean' };
const NEUTRAL: Verdict = { kind: 'neutral' };

/**
 * One per partition: the partition's closed windows are its event-time clock. Windows close in watermark
 * order, so when the first window starting at s arrives, every window before s has been seen: a series silent
 * since then is a gap, whatever the batching. Redelivered windows (a retried sink write) are ignored.
 */
export class AnomalyDetector {
  private readonly series = new Map<string, SeriesState>();
  private readonly tracker: AlertTracker;
  private clock = Number.NEGATIVE_INFINITY;
  /** Persisted online baselines not yet adopted: a series takes its own when it first needs one. */
  private readonly restoredOnline = new Map<string, OnlineBaselineSnapshot>();
  /** Series whose online baseline learned a window, or was dropped, since the last `takeOnlineChanges`. */
  private readonly onlineSaved = new Set<string>();
  private readonly onlineRemoved = new Set<string>();

  constructor(private readonly options: AnomalyDetectorOptions) {
    this.tracker = new AlertTracker(options.config.resolveWindows);
  }

  /** Scores closed windows (in any order); returns the alert events they cause, in event-time order. */
  score(windows: readonly ClosedWindow[]): AlertEvent[] {
    const model = this.options.baseline();
    const events: AlertEvent[] = [];
    const sorted = [...windows].sort((a, b) => a.windowStart - b.windowStart);
    for (const w of sorted) {
      if (w.windowStart > this.clock) {
        this.clock = w.windowStart;
        this.checkGaps(events);
      }
      this.scoreWindow(w, model, events);
    }
    return events;
  }

  /** Alerts open before a restart (from the hot store): a persisting anomaly keeps its id instead of reopening. */
  restore(open: Iterable<AlertEvent>): void {
    this.tracker.restore(open);
  }

  openAlerts(): AlertEvent[] {
    return this.tracker.openAlerts();
  }

  /**
   * Online baselines persisted before a restart or a partition move, by series key (`deviceId|metric`): a series
   * without history scores against what it had learned instead of relearning for `onlineMinWindows` minutes.
   * Call before scoring. An entry that stopped learning `onlineMaxAgeMinutes` before the newest one would be
   * forgotten at its next window anyway: it is a device that went away, and is reported as removed so the store
   * does not keep it forever.
   */
  restoreOnline(entries: Iterable<[string, OnlineBaselineSnapshot]>): void {
    // Invalid entries pass through: OnlineBaseline.restore refuses them when the series first needs one.
    const all = [...entries].map(([key, s]) => [key, s, isOnlineBaselineSnapshot(s)] as const);
    let newest = Number.MIN_SAFE_INTEGER;
    for (const [, s, valid] of all) if (valid) newest = Math.max(newest, newestWindow(s));
    const cutoff = newest - this.options.config.onlineMaxAgeMinutes * MINUTE_MS;
    for (const [key, s, valid] of all) {
      if (!valid || newestWindow(s) >= cutoff) this.restoredOnline.set(key, s);
      else {
        this.onlineRemoved.add(key);
        this.onlineSaved.delete(key);
      }
    }
  }

  /**
   * The online baselines that changed since the last call (learned a window: saved; dropped because the batch
   * baseline now covers the series: removed), and forgets them: what to persist before committing past the
   * windows that changed them.
   */
  takeOnlineChanges(): OnlineBaselineChanges {
    const saved: Array<[string, OnlineBaselineSnapshot]> = [];
    for (const key of this.onlineSaved) {
      const online = this.series.get(key)?.online;
      if (online) saved.push([key, online.snapshot()]);
    }
    const removed = [...this.onlineRemoved];
    this.onlineSaved.clear();
    this.onlineRemoved.clear();
    return { saved, removed };
  }

  private scoreWindow(w: ClosedWindow, model: BaselineModel | undefined, events: AlertEvent[]): void {
    const key = seriesKey(w.deviceId, w.metric);
    let s = this.series.get(key);
    if (s !== undefined && w.windowStart <= s.lastWindowStart) return;
    if (s === undefined) {
      s = {
        deviceId: w.deviceId,
        metric: w.metric,
        lastWindowStart: w.windowStart,
        lastMean: 0,
        prevZ: undefined,
        prevPrevZ: undefined,
        driftStreak: 0,
        cusum: new DriftCusum({
          slack: this.options.config.driftCusumSlack,
          threshold: this.options.config.driftCusumThreshold,
          cap: this.options.config.driftCusumCap,
        }),
        cusumBasis: undefined,
        stuckStreak: 0,
        gapReported: false,
        lastAggregate: undefined,
        lastStep: 0,
        noise: new ReadingNoise(),
        online: undefined,
      };
      this.series.set(key, s);
    }
    const { config } = this.options;
    const rule: MetricRule = config.metrics[w.metric] ?? {};
    const a = w.aggregate;
    const mean = a.sum / a.count;
    const emit = (kind: AlertKind, verdict: Verdict): void => {
      const e = this.tracker.observe(w.deviceId, w.metric, kind, w.windowStart, verdict);
      if (e) events.push(e);
    };

    // A window after silence ends the gap (and counts towards resolving it).
    emit('gap', CLEAN);
    s.gapReported = false;

    if (rule.min !== undefined || rule.max !== undefined) {
      const low = rule.min !== undefined && a.min < rule.min;
      const high = rule.max !== undefined && a.max > rule.max;
      const value = low ? a.min : a.max;
      emit('out_of_range', low || high ? detected(value, value, '') : CLEAN);
    }

    if (a.count >= 2) {
      s.stuckStreak = a.min === a.max ? s.stuckStreak + 1 : 0;
      emit(
        'stuck',
        s.stuckStreak >= config.stuckWindows
          ? detected(s.stuckStreak, mean, '')
          : s.stuckStreak === 0
            ? CLEAN
            : NEUTRAL,
      );
    }

    const floor = rule.scaleFloor ?? config.defaultScaleFloor;
    const consecutive = s.lastAggregate !== undefined && s.lastWindowStart === w.windowStart - MINUTE_MS;
    const step = readingStep(a, consecutive ? s.lastAggregate : undefined);
    const prevStep = consecutive ? s.lastStep : 0;
    // A stuck sensor's value says nothing about the process: neither spike nor drift is judged on it.
    const zeroVariance = a.count >= 2 && a.min === a.max;
    const basis = model && rule.baseline !== false ? this.basisFor(s, model, w.windowStart) : undefined;
    let z: number | undefined;
    if (basis && !zeroVariance) {
      const signed = signedRobustZ(mean, basis.stats, floor);
      z = Math.abs(signed);
      const moderate = z >= config.driftThreshold;
      // A spike is abrupt: the series was normal one or two windows ago (two, because a spike starting
      // mid-minute first moves its window only partly), and its readings jumped (a ramp steep enough to cross
      // both thresholds within two windows still moves little from one reading to the next). A deviation that
      // grew for longer is a drift, and the first scored window of a series cannot show an onset at all.
      const spikeOpen = this.tracker.isOpen(w.deviceId, w.metric, 'spike');
      const wasNormal =
        (s.prevZ !== undefined && s.prevZ < config.driftThreshold) ||
        (s.prevPrevZ !== undefined && s.prevPrevZ < config.driftThreshold);
      const jumped = Math.max(step, prevStep) >= config.spikeStep * s.noise.sigma(floor);
      const spike = spikeOpen
        ? moderate
        : z >= config.spikeThreshold &&
          wasNormal &&
          jumped &&
          !this.tracker.isOpen(w.deviceId, w.metric, 'drift');
      emit('spike', spike ? detected(z, mean, basis.version) : CLEAN);
      // Drift is a sustained departure from the series' own normal; against a device-type pool a steady
      // offset is just this device's level, so only spikes are scored there.
      const driftScored = basis.source !== 'pool' && !this.tracker.isOpen(w.deviceId, w.metric, 'spike');
      s.driftStreak = driftScored && moderate ? s.driftStreak + 1 : 0;
      const driftOpen = this.tracker.isOpen(w.deviceId, w.metric, 'drift');
      // The CUSUM sums z over many windows, so it needs a scale calibrated on a long history: the series' batch
      // baseline. An online baseline's spread comes from its last hour and its trend is extrapolated, so its z
      // wanders for a while on a normal day; there the windows-in-a-row rule alone judges drift.
      const cusumAlarm = this.accumulate(
        s,
        driftScored && !driftOpen && basis.source === 'series',
        consecutive,
        basis.version,
        signed,
      );
      const drifting = driftOpen ? moderate : s.driftStreak >= config.driftWindows || cusumAlarm;
      // A drift opened against the online baseline is not judged against the pool while that relearns.
      emit('drift', basis.source === 'pool' ? NEUTRAL : drifting ? detected(z, mean, basis.version) : CLEAN);
      s.prevPrevZ = s.prevZ;
      s.prevZ = z;
    } else {
      if (basis) {
        emit('spike', NEUTRAL);
        emit('drift', NEUTRAL);
      }
      s.prevPrevZ = undefined;
      s.prevZ = undefined;
      s.driftStreak = 0;
      this.resetCusum(s);
    }
    this.learn(s, w, basis, zeroVariance);
    s.lastAggregate = a;
    s.lastStep = step;
    s.lastWindowStart = w.windowStart;
    s.lastMean = mean;
  }

  /**
   * Feeds one scored window to the series' drift CUSUM; true when it has reached its threshold. The sum starts
   * over whenever the windows it holds stop being one unbroken run measured against one baseline: after a missing
   * window (a gap), when a new batch baseline is scored against, and while drift is not judged by it (not
   * against the series' own batch baseline, during a spike) or already open (so a resolved drift starts afresh).
   */
  private accumulate(
    s: SeriesState,
    scored: boolean,
    consecutive: boolean,
    version: string,
    z: number,
  ): boolean {
    if (!scored) {
      this.resetCusum(s);
      return false;
    }
    if (!consecutive || s.cusumBasis !== version) s.cusum.reset();
    s.cusumBasis = version;
    return s.cusum.observe(z);
  }

  private resetCusum(s: SeriesState): void {
    s.cusum.reset();
    s.cusumBasis = undefined;
  }

  /**
   * What a window is scored against: the batch baseline when it knows the series itself; else the series' own
   * online baseline once it has learned enough; else, for spikes only, the device type's pooled baseline.
   */
  private basisFor(s: SeriesState, model: BaselineModel, windowStart: number): Basis | undefined {
    const resolved = resolveBaseline(model, s.deviceId, s.metric, windowStart);
    if (resolved && (resolved.source === 'series-hour' || resolved.source === 'series-overall')) {
      // The batch fit covers the series now: its online baseline (live or still persisted) is of no more use.
      const key = seriesKey(s.deviceId, s.metric);
      if (this.restoredOnline.delete(key) || s.online !== undefined) {
        this.onlineRemoved.add(key);
        this.onlineSaved.delete(key);
      }
      s.online = undefined;
      return { stats: resolved.stats, version: model.version, source: 'series' };
    }
    s.online ??= this.newOnline(s);
    const own = s.online.expected(windowStart);
    if (own) return { stats: own, version: ONLINE_BASELINE_VERSION, source: 'online' };
    return resolved && { stats: resolved.stats, version: model.version, source: 'pool' };
  }

  /** A series' online baseline, seeded from its persisted snapshot when there is one. */
  private newOnline(s: SeriesState): OnlineBaseline {
    const { config } = this.options;
    const online = new OnlineBaseline({
      minWindows: config.onlineMinWindows,
      maxWindows: config.onlineMaxWindows,
      maxAgeMinutes: config.onlineMaxAgeMinutes,
    });
    const key = seriesKey(s.deviceId, s.metric);
    const snapshot = this.restoredOnline.get(key);
    if (snapshot !== undefined) {
      this.restoredOnline.delete(key);
      online.restore(snapshot);
    }
    return online;
  }

  /** Normal windows teach the series' reading noise and, where it has one, its online baseline. */
  private learn(s: SeriesState, w: ClosedWindow, basis: Basis | undefined, zeroVariance: boolean): void {
    if (zeroVariance) return;
    const spikeOpen = this.tracker.isOpen(w.deviceId, w.metric, 'spike');
    const spread = windowSpread(w.aggregate);
    if (spread !== undefined && !spikeOpen && !this.tracker.isOpen(w.deviceId, w.metric, 'drift'))
      s.noise.learn(spread);
    if (!s.online) return;
    const mean = w.aggregate.sum / w.aggregate.count;
    // Against its own online baseline, a window outside the residuals' own spread is kept out, without the scale
    // floor: a ramp that is slow in floored sigmas (vibration) would otherwise be learned window by window, and
    // the baseline would follow the drift it should detect. Against the pool (or with no baseline at all) the
    // series is (re)learning its level, which is exactly what it has to take in, even while an alert is open
    // (else an alert judged against the pool, or a drift left unjudged, could stay open for good); the medians
    // of the fit shrug off the few windows of a spike among them.
    const normal =
      basis?.source !== 'online' || robustZ(mean, basis.stats, 0) < this.options.config.driftThreshold;
    if (normal && s.online.learn(w.windowStart, mean)) {
      const key = seriesKey(s.deviceId, s.metric);
      this.onlineSaved.add(key);
      this.onlineRemoved.delete(key);
    }
  }

  /** Called when the clock reaches a new window start: every series silent for gapMinutes opens a gap. */
  private checkGaps(events: AlertEvent[]): void {
    const limit = this.options.config.gapMinutes * MINUTE_MS;
    for (const s of this.series.values()) {
      if (s.gapReported) continue;
      const firstMissing = s.lastWindowStart + MINUTE_MS;
      const silent = this.clock - firstMissing;
      if (silent < limit) continue;
      s.gapReported = true;
      const e = this.tracker.observe(
        s.deviceId,
        s.metric,
        'gap',
        firstMissing,
        detected(silent / MINUTE_MS, s.lastMean, ''),
      );
      if (e) events.push(e);
    }
  }
}

function detected(score: number, value: number, baselineVersion: string): Verdict {
  return { kind: 'detected', score, value, baselineVersion };
}
