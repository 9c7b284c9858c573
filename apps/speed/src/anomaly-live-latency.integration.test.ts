// Live on the real stack: devices report with the wall clock, the speed app runs its default watermark settings, and each anomaly's alert must be on the alerts topic within two minutes of the anomaly's first reading.
import { setTimeout as sleep } from 'node:timers/promises';
import { CONTENT_TYPE_HEADER, encodeEnvelope, JSON_CONTENT_TYPE } from '@lambda-iot/core';
import { silentLogger } from '@lambda-iot/runtime';
import { Registry } from 'prom-client';
import { loadConfig } from './config';
import { SpeedApp } from './speed-app';
import { AlertCollector } from './test-support/alert-collector';
import { flatBaseline } from './test-support/alert-scenario';
import { openAlertTestStack, type AlertTestStack } from './test-support/alert-test-stack';
import { speedAppEnv } from './test-support/speed-app-env';

/** One reading per device every 2 s; the anomalies start 70 s in, so at least one whole normal minute precedes them. */
const PERIOD_MS = 2_000;
const LEAD_MS = 70_000;
const TARGET_MS = 2 * 60_000;

const DEVICES = {
  spike: 'live-spike',
  stuck: 'live-stuck',
  gap: 'live-gap',
  out_of_range: 'live-range',
  normal: 'live-normal',
} as const;
type Watched = Exclude<keyof typeof DEVICES, 'normal'>;
const WATCHED = ['spike', 'stuck', 'gap', 'out_of_range'] as const satisfies readonly Watched[];

/** The reading of `deviceId` at `ts` (`sinceStart` ms after the anomalies began, negative before); none for a silent one. */
function valueOf(deviceId: string, sinceStart: number, n: number): number | undefined {
  const normal = 20 + (n % 2 === 0 ? 0.3 : -0.3);
  if (sinceStart < 0) return normal;
  switch (deviceId) {
    case DEVICES.spike:
      return normal + 10;
    case DEVICES.stuck:
      return 20.37;
    case DEVICES.gap:
      return undefined;
    case DEVICES.out_of_range: // one reading above the metric's maximum of 80, then normal again
      return sinceStart < PERIOD_MS ? 95 : normal;
    default:
      return normal;
  }
}

describe('alert latency on the real stack, in wall-clock time', () => {
  let alertStack: AlertTestStack;

  beforeAll(async () => {
    alertStack = await openAlertTestStack('live');
  });
  afterAll(() => alertStack.cleanup());

  it('with the default watermark settings, raises spike, stuck, gap and out_of_range within two minutes of their first reading', async () => {
    const { stack, alertsTopic } = alertStack;
    await alertStack.baselines.publish(
      flatBaseline(
        'live-1',
        Date.now(),
        20,
        Object.values(DEVICES).map((d) => `${d}|temp`),
      ),
    );
    // The app's defaults (out-of-orderness 5 s, lateness 2 min, flush 500 ms); only the test metric's rule is set.
    const speed = new SpeedApp(
      loadConfig(
        speedAppEnv(alertStack, { ANOMALY_METRICS: '{"temp":{"min":-40,"max":80,"scaleFloor":0.1}}' }),
      ),
      silentLogger,
      new Registry(),
    );
    await speed.start();

    const collector = await AlertCollector.start(alertStack.consumer, alertsTopic);
    /** When the first alert of `kind` on its device reached the topic's consumer. */
    const arrived = (kind: Watched): number | undefined => {
      const e = collector.opened().find((o) => o.kind === kind && o.deviceId === DEVICES[kind]);
      return e && collector.receivedAt(e);
    };

    const anomalyStart = Date.now() + LEAD_MS;
    const deadline = anomalyStart + TARGET_MS + 15_000;
    for (let n = 0; Date.now() < deadline && WATCHED.some((k) => arrived(k) === undefined); n++) {
      const ts = Date.now();
      const messages = Object.values(DEVICES).flatMap((deviceId) => {
        const value = valueOf(deviceId, ts - anomalyStart, n);
        if (value === undefined) return [];
        return [
          {
            partition: 0,
            message: {
              key: deviceId,
              headers: { [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE },
              value: encodeEnvelope({ deviceId, readings: [{ metric: 'temp', ts, value }] }),
            },
          },
        ];
      });
      await stack.produce(messages);
      await sleep(Math.max(0, ts + PERIOD_MS - Date.now()));
    }
    await speed.close();

    // The first anomalous reading is the first one at or after anomalyStart: at most one period later.
    const latency = Object.fromEntries(WATCHED.map((k) => [k, (arrived(k) ?? Infinity) - anomalyStart]));
    console.log(
      `live alert latency from the anomaly's start (s): ${WATCHED.map((k) => `${k} ${(latency[k]! / 1000).toFixed(1)}`).join(', ')}`,
    );
    for (const k of WATCHED) expect(latency[k]).toBeLessThanOrEqual(TARGET_MS);
  }, 300_000);
});
