// Scores the complete 1-minute windows of one partition against the baseline and the physical rules, emitting alert events.
import { MINUTE_MS, windowStart, type Aggregate } from '@lambda-iot/core';
import type { AlertEvent, AlertKind } from './alert-event';
import { AlertTracker, type Verdict } from './alert-tracker';
import { ConstantRun } from './constant-run';
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
import { trimmedMean } from './trimmed-mean';

/** A complete window: the partition's watermark has passed its end, so it holds every reading that was on time. */
export interface ClosedWindow {
  deviceId: string;
  metric: string;
  windowStart: number;
  aggregate: Aggregate;
}

/** A window as the speed layer writes it: still open (an early result), complete, or final. */
export interface WindowState extends ClosedWindow {
  /** Past the allowed lateness: its aggregate will not change any more. */
  final: boolean;
  /** The watermark has passed its end (always, when final); absent means false. */
  complete?: boolean;
}

/** When a window is scored: once complete (the default), or only once final, which also scores stragglers. */
export const SCORE_AT = ['complete', 'final'] as const;
export type ScoreAt = (typeof SCORE_AT)[number];

export interface AnomalyDetectorOptions {
  config: Readonly<DetectorConfig>;
  /** The baseline to score against right now; read per batch, so a hot reload applies from the next batch. */
  baseline: () => BaselineModel | undefined;
}

interface SeriesState {
  deviceId: string;
  metric: string;
  lastWindowStart: number;
  /** Event time of the newest reading any of its windows (complete or still open) has shown. */
  lastTs: number;
  lastMean: number;
  /** Robust z of the series' previous window; undefined when it could not be scored. */
  prevZ: number | undefined;
  prevPrevZ: number | undefined;
  driftStreak: number;
  /** Accumulated evidence of a drift, and the batch baseline version it was accumulated against. */
  cusum: DriftCusum;
  cusumBasis: string | undefined;
  run: ConstantRun;
  /** A gap was raised for the silence after `lastTs`; a newer reading clears it. */
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
 * One per partition: the partition's complete windows are its event-time clock. Windows complete in watermark
 * order, so when the first window starting at s arrives, every window before s has been seen: a series silent
 * since then is a gap, whatever the batching. A caller that hands over each minute's windows together says so
 * with `completeThrough`, and a series silent in that minute is judged at once instead of a minute later; one
 * that also passes the still-open windows and the watermark to `watch` has silence and frozen readings judged
 * between minute boundaries, as soon as they have lasted long enough. Redelivered windows (a retried sink
 * write) are ignored.
 */
export class AnomalyDetector {
  private readonly series = new Map<string, SeriesState>();
  private readonly tracker: AlertTracker;
  /**
   * The partition's event-time clock for gaps: every reading before it has been shown (in a scored window, or in
   * an open one passed to `watch`), so a series whose newest reading lies further back has been silent since.
   */
  private clock = Number.NEGATIVE_INFINITY;
  /** Persisted online baselines not yet adopted: a series takes its own when it first needs one. */
  private readonly restoredOnline = new Map<string, OnlineBaselineSnapshot>();
  /** Series whose online baseline learned a window, or was dropped, since the last `takeOnlineChanges`. */
  private readonly onlineSaved = new Set<string>();
  private readonly onlineRemoved = new Set<string>();
  /**
   * Newest readings of series seen only in open windows so far (a new device, or every series while the speed
   * layer replays after a restart): the series starts from it once its first complete window is scored, or its
   * silence would be measured from that window and could pass for a gap.
   */
  private readonly unscoredLastTs = new Map<string, number>();

  constructor(private readonly options: AnomalyDetectorOptions) {
    this.tracker = new AlertTracker(options.config.resolveWindows);
  }

  /** Scores complete windows (in any order); returns the alert events they cause, in event-time order. */
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

  /**
   * One flush of a partition's windows, as the speed layer hands them to its sinks, with the partition's
   * watermark: scores the windows that are done by `scoreAt` (each minute's arrive together, so the newest of them
   * completes its minute) and watches the rest. Returns the events, to publish before committing past them.
   */
  update(windows: readonly WindowState[], watermark: number, scoreAt: ScoreAt = 'complete'): AlertEvent[] {
    const scored: WindowState[] = [];
    const open: WindowState[] = [];
    let newest = Number.NEGATIVE_INFINITY;
    for (const w of windows) {
      if (w.final || (scoreAt === 'complete' && w.complete === true)) {
        scored.push(w);
        newest = Math.max(newest, w.windowStart);
      } else open.push(w);
    }
    const events = scored.length > 0 ? [...this.score(scored), ...this.completeThrough(newest)] : [];
    events.push(...this.watch(open, watermark));
    return events;
  }

  /**
   * Every window starting at or before `minute` has now been scored (the speed layer emits a minute's windows
   * together when the watermark passes its end): a series with no window in that minute is silent through its
   * end. Returns the gaps that opens.
   */
  completeThrough(minute: number): AlertEvent[] {
    return this.advance(minute + MINUTE_MS);
  }

  /**
   * What the still-open windows show so far (early results, each as often as it changes), with the partition's
   * watermark, under which every reading has been shown: opens `stuck` once a series' readings have been
   * identical for `stuckMinutes`, and `gap` once it has been silent for `gapMinutes`, without waiting for the
   * window to complete. Only ever opens (or holds) an alert: resolving is left to complete windows, which alone
   * say a whole minute was clean. Series not yet seen in a scored window are left to it.
   */
  watch(open: readonly ClosedWindow[], watermark: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    // Not sorted (this runs every flush for every active series): the speed layer hands a series' windows over in
    // the order its readings arrived, and a window older than one already seen is passed over by the run.
    for (const w of open) {
      const key = seriesKey(w.deviceId, w.metric);
      const s = this.series.get(key);
      if (s === undefined) {
        if (w.aggregate.count > 0)
          this.unscoredLastTs.set(
            key,
            Math.max(this.unscoredLastTs.get(key) ?? -Infinity, w.aggregate.lastTs),
          );
        continue;
      }
      this.noteReading(s, w.aggregate);
      if (w.windowStart <= s.lastWindowStart || !s.run.extend(w.windowStart, w.aggregate)) continue;
      if (this.isStuck(s)) {
        const e = this.tracker.observe(s.deviceId, s.metric, 'stuck', w.windowStart, this.stuckVerdict(s));
        if (e) events.push(e);
      }
    }
    events.push(...this.advance(watermark));
    return events;
  }

  /** Moves the gap clock forward to `clock`; returns the gaps that opens. */
  private advance(clock: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    if (clock > this.clock) {
      this.clock = clock;
      this.checkGaps(events);
    }
    return events;
  }

  /** Keeps the series' newest reading; one newer than a reported silence ends it. */
  private noteReading(s: SeriesState, a: Aggregate): void {
    if (a.count === 0 || a.lastTs <= s.lastTs) return;
    s.lastTs = a.lastTs;
    s.gapReported = false;
  }

  private isStuck(s: SeriesState): boolean {
    return s.run.spanMs >= this.options.config.stuckMinutes * MINUTE_MS;
  }

  private stuckVerdict(s: SeriesState): Verdict {
    return detected(s.run.spanMs / MINUTE_MS, s.run.repeated, '');
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
    if (s !== undefined) this.noteReading(s, w.aggregate);
    if (s !== undefined && w.windowStart <= s.lastWindowStart) return;
    if (s === undefined) {
      s = {
        deviceId: w.deviceId,
        metric: w.metric,
        lastWindowStart: w.windowStart,
        lastTs: Math.max(
          w.aggregate.count > 0 ? w.aggregate.lastTs : w.windowStart,
          this.unscoredLastTs.get(key) ?? -Infinity,
        ),
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
        run: new ConstantRun(),
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

    if (rule.min !== undefined || rule.max !== undefined) {
      const low = rule.min !== undefined && a.min < rule.min;
      const high = rule.max !== undefined && a.max > rule.max;
      const value = low ? a.min : a.max;
      emit('out_of_range', low || high ? detected(value, value, '') : CLEAN);
    }

    // Open windows may have taken the run past this window already (`watch`); its verdict is its own either way:
    // readings that moved are clean, identical ones are stuck while the run they belong to is long enough.
    s.run.extend(w.windowStart, a);
    emit('stuck', a.min !== a.max ? CLEAN : this.isStuck(s) ? this.stuckVerdict(s) : NEUTRAL);

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
      // Where readings have outliers, judged without the window's extreme readings: a drift moves all of them,
      // an outlier only one.
      const level = rule.driftScaleFloor === undefined ? mean : trimmedMean(a);
      const driftSigned = signedRobustZ(level, basis.stats, rule.driftScaleFloor ?? floor);
      const driftZ = Math.abs(driftSigned);
      const deviating = driftZ >= config.driftThreshold;
      s.driftStreak = driftScored && deviating ? s.driftStreak + 1 : 0;
      const driftOpen = this.tracker.isOpen(w.deviceId, w.metric, 'drift');
      // The CUSUM sums z over many windows, so it needs a scale calibrated on a long history: the series' batch
      // baseline. An online baseline's spread comes from its last hour and its trend is extrapolated, so its z
      // wanders for a while on a normal day; there the windows-in-a-row rule alone judges drift.
      const cusumAlarm = this.accumulate(
        s,
        driftScored && !driftOpen && basis.source === 'series',
        consecutive,
        basis.version,
        driftSigned,
      );
      const drifting = driftOpen ? deviating : s.driftStreak >= config.driftWindows || cusumAlarm;
      // A drift opened against the online baseline is not judged against the pool while that relearns.
      emit(
        'drift',
        basis.source === 'pool' ? NEUTRAL : drifting ? detected(driftZ, level, basis.version) : CLEAN,
      );
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

  /**
   * Called when the clock advances: every series silent for longer than gapMinutes opens a gap, dated from the
   * first window after its newest reading (so a replay after a restart opens it with the same id).
   */
  private checkGaps(events: AlertEvent[]): void {
    const limit = this.options.config.gapMinutes * MINUTE_MS;
    for (const s of this.series.values()) {
      if (s.gapReported) continue;
      const silent = this.clock - s.lastTs;
      if (silent <= limit) continue;
      s.gapReported = true;
      const firstMissing = windowStart(s.lastTs, '1m') + MINUTE_MS;
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
