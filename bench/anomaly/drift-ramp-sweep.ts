// The drift sweep: detection delay by ramp length, beside what an ideal matched filter could do (the "oracle").
import {
  detectorConfig,
  type AlertEvent,
  type AlertKind,
  type BaselineModel,
  type DetectorConfig,
} from '@lambda-iot/anomaly';
import type { AnomalyInjector, AnomalyLabel } from '@lambda-iot/simulator';
import { ANY_KIND, ascending, pct, ratio, score, sec, TARGET_MS } from './alert-scoring';
import {
  labelledDay,
  labelledInjector,
  METRICS,
  offsetAt,
  SAMPLE_MS,
  SHIPPED,
  type Device,
} from './evaluation-setup';

export const DRIFT_RAMPS: readonly number[] = (process.env.ANOMALY_DRIFT_RAMPS ?? '1,2,5,10,20')
  .split(',')
  .filter((s) => s.trim() !== '')
  .map((s) => {
    const minutes = Number(s);
    if (!(minutes > 0)) throw new RangeError(`ANOMALY_DRIFT_RAMPS: not a ramp length in minutes: ${s}`);
    return minutes;
  });

/**
 * Per-reading noise σ of the simulator's metric models (packages/simulator/src/metric-models.ts exports no such
 * numbers; keep these in step with it). Vibration's is that of its half-normal noise 0.05·|N(0,1)|, ignoring the 1 %
 * of readings that are spikes.
 */
const READING_NOISE_SIGMA: Readonly<Record<string, number>> = {
  temperature: 0.3,
  humidity: 2,
  vibration: 0.05 * Math.sqrt(1 - 2 / Math.PI),
};

/** Evidence, in σ, at which the oracle counts a drift as found (one-sided, about 3 false calls in 100 000). */
const ORACLE_SIGMAS = 4;

/**
 * The earliest delay from a drift's start at which a matched filter that knows its start, ramp and the series'
 * normal level has ORACLE_SIGMAS of evidence: sqrt(Σ offset_k²)/σ over the readings since the start, at the 10 s
 * cadence, noise-free. A detector that raises earlier does so on less evidence (more false alerts), so this bounds
 * what a delay target can ask of any detector. Ignores 1-minute windows and the daily cycle; undefined if never.
 */
function oracleDelay(l: AnomalyLabel, injector: AnomalyInjector): number | undefined {
  const sigma = READING_NOISE_SIGMA[l.metric];
  if (sigma === undefined) return undefined;
  let sumSq = 0;
  for (let t = l.start + SAMPLE_MS; t < l.end; t += SAMPLE_MS) {
    sumSq += offsetAt(injector, l, t) ** 2;
    if (Math.sqrt(sumSq) >= ORACLE_SIGMAS * sigma) return t - l.start;
  }
  return undefined;
}

/**
 * How a day's drifts fared against what it raised, by an alert of any kind unless named (`byDrift`): delays from
 * each drift's start to its first alert, the oracle's delays, and whether alerts fell on no drift at all.
 */
function driftFigures(
  labels: readonly AnomalyLabel[],
  events: readonly AlertEvent[],
  config: Readonly<DetectorConfig>,
  injector: AnomalyInjector,
) {
  const anyKind = score(labels, events, config, ANY_KIND);
  const hits = anyKind.byKind.drift?.hits ?? [];
  const delays = ascending(hits.map((h) => h.delayMs));
  const oracle = ascending(labels.map((l) => oracleDelay(l, injector) ?? Number.POSITIVE_INFINITY));
  const firstAlertKinds: Partial<Record<AlertKind, number>> = {};
  for (const h of hits) firstAlertKinds[h.alertKind] = (firstAlertKinds[h.alertKind] ?? 0) + 1;
  return {
    labels: labels.length,
    detectedByDrift: score(labels, events, config).byKind.drift?.detected ?? 0,
    detected: hits.length,
    withinTarget: delays.filter((d) => d <= TARGET_MS).length,
    delayP50Ms: pct(delays, 0.5),
    delayP90Ms: pct(delays, 0.9),
    oracleP50Ms: pct(oracle, 0.5),
    oracleP90Ms: pct(oracle, 0.9),
    oracleWithinTarget: oracle.filter((d) => d <= TARGET_MS).length,
    firstAlertKinds,
    alerts: events.filter((e) => e.state === 'open').length,
    alertsOnNoDrift: anyKind.unexplained.map((e) => e.id),
  };
}

/**
 * Streams the labelled day once per ramp length in DRIFT_RAMPS, with drifts only (the same drifts each time but for
 * their ramp), through the shipped configuration and the baseline fitted once: how the delay from a drift's start
 * depends on how fast it ramps, beside the oracle's. Precision is over every alert of the day, so that a faster
 * detection bought with alerts elsewhere would show.
 */
export function driftRampSweep(devices: readonly Device[], model: BaselineModel) {
  const config = detectorConfig(SHIPPED);
  const rows = DRIFT_RAMPS.map((rampMinutes) => {
    const injector = labelledInjector(devices, {
      kinds: ['drift'],
      driftRampMinutes: [rampMinutes, rampMinutes],
    });
    const events = labelledDay(config, devices, model, injector);
    const of = (metric?: string) => {
      const keep = (x: { metric: string }) => metric === undefined || x.metric === metric;
      return driftFigures(injector.labels.filter(keep), events.filter(keep), config, injector);
    };
    return { rampMinutes, ...of(), byMetric: Object.fromEntries(METRICS.map((m) => [m, of(m)])) };
  });
  const perMetric = (r: (typeof rows)[number], cell: (f: ReturnType<typeof driftFigures>) => string) =>
    METRICS.map((m) => cell(r.byMetric[m]!)).join(' / ');
  const lines = [
    `Drift ramp sweep (drifts only, shipped configuration; per metric: ${METRICS.join(' / ')}; oracle: ${ORACLE_SIGMAS}σ of matched-filter evidence at σ ${METRICS.map((m) => READING_NOISE_SIGMA[m]!.toPrecision(2)).join(' / ')}):`,
    '',
    '| ramp | drifts | recall (drift alert) | recall (any alert) | within 2 min (any) | within 2 min per metric | delay p50 | delay p90 | oracle p50 | oracle p50 per metric | oracle within 2 min | first alert kinds | alerts | on no drift | precision |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows
      .map((r) =>
        [
          `${r.rampMinutes} min`,
          r.labels,
          ratio(r.detectedByDrift, r.labels),
          ratio(r.detected, r.labels),
          ratio(r.withinTarget, r.labels),
          perMetric(r, (f) => ratio(f.withinTarget, f.labels)),
          sec(r.delayP50Ms),
          sec(r.delayP90Ms),
          sec(r.oracleP50Ms),
          perMetric(r, (f) => sec(f.oracleP50Ms)),
          ratio(r.oracleWithinTarget, r.labels),
          Object.entries(r.firstAlertKinds)
            .map(([k, n]) => `${k} ${n}`)
            .join(', '),
          r.alerts,
          r.alertsOnNoDrift.length,
          ratio(r.alerts - r.alertsOnNoDrift.length, r.alerts),
        ].join(' | '),
      )
      .map((row) => `| ${row} |`),
  ];
  return { lines, summary: { readingNoiseSigma: READING_NOISE_SIGMA, oracleSigmas: ORACLE_SIGMAS, rows } };
}
