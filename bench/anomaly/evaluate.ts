// Anomaly-detection evaluation: simulated history with injected anomalies → DuckDB baseline fit → streaming
// detector on a labelled day (through the speed layer's WindowEngine) → precision, recall and delay per kind.
//
// Build and run (packages built):  npx tsc -p bench/anomaly && node bench/anomaly/dist/evaluate.js
// Env: ANOMALY_SEED (42), ANOMALY_DEVICES (40 with history, plus 4 registered without any), ANOMALY_HISTORY_DAYS (14),
// ANOMALY_PER_DEVICE (4 labelled anomalies per device over the evaluated day), ANOMALY_CONFIGS (a JSON array of
// detector settings to compare on the same history and days, each over the shipped defaults; default `[{}]`),
// ANOMALY_DRIFT_RAMPS (ramp lengths in minutes for the drift sweep, default `1,2,5,10,20`; empty skips it).
// Writes bench/out/anomaly.json (one entry per configuration, and the drift sweep).
//
// The drift sweep re-streams the labelled day once per ramp length with drifts only (the same drifts each time, but
// for their ramp), through the shipped configuration and the baseline already fitted, to show how the delay from a
// drift's start depends on how fast it ramps, next to what an ideal detector could do (the "oracle").
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  AnomalyDetector,
  BaselineFitter,
  detectorConfig,
  MAD_TO_SIGMA,
  newBaselineVersion,
  resolveBaseline,
  type BaselineModel,
  type DetectorConfig,
} from '@lambda-iot/anomaly';
import { DAY_MS } from '@lambda-iot/core';
import {
  AnomalyInjector,
  simulatedDevices,
  type AnomalyLabel,
  type InjectedAnomalyKind,
} from '@lambda-iot/simulator';
import { ascending, EXPECTED, pct, ratio, score, sec, TARGET_MS } from './alert-scoring';
import { DRIFT_RAMPS, driftRampSweep } from './drift-ramp-sweep';
import {
  detect,
  DEVICES,
  EVAL_START,
  HISTORY_DAYS,
  HISTORY_START,
  labelledDay,
  labelledInjector,
  METRICS,
  NEW_DEVICES,
  offsetAt,
  SAMPLE_MS,
  SEED,
  SHIPPED,
  writeHistory,
  type Device,
} from './evaluation-setup';

/** Configurations to evaluate: the shipped one, or variants of it to compare. */
const CONFIGS: ReadonlyArray<Readonly<DetectorConfig>> = (
  JSON.parse(process.env.ANOMALY_CONFIGS ?? '[{}]') as Array<Partial<DetectorConfig>>
).map((c) => detectorConfig({ ...SHIPPED, ...c }));

/**
 * When a drift's injected offset (noise-free: magnitude × ramp) first reaches the drift threshold in the robust
 * sigmas it is scored in — the series' batch baseline for its hour, for a device without history its type's
 * (an approximation: those are scored against their own online baseline). Before that no detector can tell the
 * ramp from the series' normal spread. Undefined when the offset never gets there.
 */
function thresholdCrossing(
  l: AnomalyLabel,
  injector: AnomalyInjector,
  model: BaselineModel,
  config: Readonly<DetectorConfig>,
): number | undefined {
  const floor = config.metrics[l.metric]?.scaleFloor ?? config.defaultScaleFloor;
  for (let t = l.start; t < l.end; t += SAMPLE_MS / 10) {
    const stats = resolveBaseline(model, l.deviceId, l.metric, t)?.stats;
    if (!stats) return undefined;
    const offset = Math.abs(offsetAt(injector, l, t));
    if (offset >= config.driftThreshold * Math.max(MAD_TO_SIGMA * stats.mad, floor)) return t;
  }
  return undefined;
}

/** Streams the labelled and the normal day through a detector with `config` and scores what it raised. */
function evaluate(
  config: Readonly<DetectorConfig>,
  devices: readonly Device[],
  withHistory: readonly Device[],
  model: BaselineModel,
  injector: AnomalyInjector,
) {
  const labelled = labelledDay(config, devices, model, injector);
  const normal = detect(
    devices,
    EVAL_START + DAY_MS,
    EVAL_START + 2 * DAY_MS,
    'normal',
    new AnomalyDetector({ config, baseline: () => model }),
  );
  const result = score(injector.labels, labelled, config);
  const known = new Set(withHistory.map((d) => d.deviceId));
  const historyOnly = score(
    injector.labels.filter((l) => known.has(l.deviceId)),
    labelled.filter((e) => known.has(e.deviceId)),
    config,
  );
  const normalOpened = normal.filter((e) => e.state === 'open' && e.openedAt < EVAL_START + 2 * DAY_MS);
  const seriesDays = devices.length * METRICS.length;
  const lines: string[] = [
    '| injected → alert | labels | recall | alerts | precision | recall (devices with history) | precision (devices with history) | delay p50 | delay p90 | delay max | within 2 min | from threshold p50 | from threshold p90 | from threshold max | opened after the end |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const total = { labels: 0, detected: 0, alerts: 0, tp: 0 };
  const totalH = { labels: 0, detected: 0, alerts: 0, tp: 0 };
  const fromThreshold: Record<string, { delaysMs: number[]; neverReached: number }> = {};
  for (const kind of Object.keys(EXPECTED) as InjectedAnomalyKind[]) {
    const s = result.byKind[kind];
    const h = historyOnly.byKind[kind];
    if (!s || !h) continue;
    const delays = ascending(s.delaysMs);
    for (const [t, k] of [
      [total, s],
      [totalH, h],
    ] as const) {
      t.labels += k.labels;
      t.detected += k.detected;
      t.alerts += k.alerts;
      t.tp += k.truePositives;
    }
    let thresholdCells = '— | — | —';
    if (kind === 'drift') {
      const crossed = s.hits.map((x) => ({ x, at: thresholdCrossing(x, injector, model, config) }));
      const after = ascending(
        crossed.filter((c) => c.at !== undefined).map((c) => c.x.start + c.x.delayMs - c.at!),
      );
      fromThreshold[kind] = { delaysMs: after, neverReached: crossed.length - after.length };
      thresholdCells = `${sec(pct(after, 0.5))} | ${sec(pct(after, 0.9))} | ${sec(after[after.length - 1] ?? Number.NaN)}`;
    }
    lines.push(
      `| ${kind} → ${EXPECTED[kind]} | ${s.labels} | ${ratio(s.detected, s.labels)} | ${s.alerts} | ${ratio(s.truePositives, s.alerts)} | ${ratio(h.detected, h.labels)} | ${ratio(h.truePositives, h.alerts)} | ${sec(pct(delays, 0.5))} | ${sec(pct(delays, 0.9))} | ${sec(delays[delays.length - 1] ?? Number.NaN)} | ${ratio(delays.filter((d) => d <= TARGET_MS).length, delays.length)} | ${thresholdCells} | ${s.hits.filter((x) => x.openedAt >= x.end).length} |`,
    );
  }
  lines.push(
    `| **all** | ${total.labels} | ${ratio(total.detected, total.labels)} | ${total.alerts} | ${ratio(total.tp, total.alerts)} | ${ratio(totalH.detected, totalH.labels)} | ${ratio(totalH.tp, totalH.alerts)} | | | | | | | | |`,
  );
  lines.push(
    '',
    `Normal day: ${normalOpened.length} alerts on ${seriesDays} series (${(normalOpened.length / seriesDays).toFixed(3)} per series-day).`,
  );
  const summary = {
    config,
    byKind: Object.fromEntries(
      Object.entries(result.byKind).map(([k, s]) => [
        k,
        {
          labels: s.labels,
          detected: s.detected,
          alerts: s.alerts,
          truePositives: s.truePositives,
          recall: s.detected / s.labels,
          precision: s.truePositives / Math.max(1, s.alerts),
          delaysMs: s.delaysMs,
          hits: s.hits,
        },
      ]),
    ),
    fromThreshold,
    alertsOnOtherKindsOfAnomaly: result.crossKind,
    alertsOnOtherKindsOfAnomalyIds: result.crossKindAlerts,
    missedLabels: result.missed,
    unexplainedAlerts: result.unexplained.map((e) => e.id),
    normalDay: {
      alerts: normalOpened.length,
      perSeriesDay: normalOpened.length / seriesDays,
      ids: normalOpened.map((e) => e.id),
    },
  };
  return { lines, summary };
}

async function main(): Promise<void> {
  const started = performance.now();
  const devices: Device[] = simulatedDevices(DEVICES + NEW_DEVICES, SEED, SAMPLE_MS);
  const withHistory = devices.slice(0, DEVICES);
  const dir = await mkdtemp(join(tmpdir(), 'anomaly-eval-'));
  try {
    // History carries anomalies too (one a day per device): the robust fit must not learn them as normal.
    const historyInjector = new AnomalyInjector({
      seed: SEED + 1,
      deviceIds: withHistory.map((d) => d.deviceId),
      metrics: METRICS,
      from: HISTORY_START,
      to: EVAL_START,
      perDevice: HISTORY_DAYS,
    });
    const file = join(dir, 'history-1m.parquet');
    const rows = await writeHistory(withHistory, historyInjector, file);
    const historyDone = performance.now();

    const fitter = new BaselineFitter({ threads: 2 });
    const model = await fitter.fit({
      files: [file],
      version: newBaselineVersion(EVAL_START),
      fittedAt: EVAL_START,
      from: HISTORY_START,
      to: EVAL_START,
      days: HISTORY_DAYS,
      minSamples: 30,
      deviceTypes: new Map(devices.map((d) => [d.deviceId, d.type])),
    });
    await fitter.close();
    const fitDone = performance.now();

    const injector = labelledInjector(devices);
    const runs: unknown[] = [];
    for (const config of CONFIGS) {
      const runStarted = performance.now();
      const { lines, summary } = evaluate(config, devices, withHistory, model, injector);
      console.log(`\nconfig: ${JSON.stringify({ ...config, metrics: undefined })}`);
      console.log(lines.join('\n'));
      console.log(
        JSON.stringify(
          {
            ...summary,
            config: undefined,
            byKind: undefined,
            detectSeconds: (performance.now() - runStarted) / 1000,
          },
          null,
          2,
        ),
      );
      runs.push(summary);
    }
    const detectDone = performance.now();
    const sweep = DRIFT_RAMPS.length > 0 ? driftRampSweep(devices, model) : undefined;
    if (sweep) console.log(`\n${sweep.lines.join('\n')}\n`);
    const totals = {
      seed: SEED,
      devices: { withHistory: DEVICES, withoutHistory: NEW_DEVICES },
      metrics: METRICS,
      historyDays: HISTORY_DAYS,
      historyRows1m: rows,
      historyAnomalies: historyInjector.labels.length,
      baselineSeries: Object.keys(model.series).length,
      seconds: {
        history: (historyDone - started) / 1000,
        fit: (fitDone - historyDone) / 1000,
        detect: (detectDone - fitDone) / 1000,
        driftRampSweep: (performance.now() - detectDone) / 1000,
      },
    };
    console.log(JSON.stringify(totals, null, 2));
    const out = join(__dirname, '..', '..', 'out');
    await mkdir(out, { recursive: true });
    await writeFile(
      join(out, 'anomaly.json'),
      JSON.stringify({ ...totals, runs, driftRampSweep: sweep?.summary }, null, 2),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
