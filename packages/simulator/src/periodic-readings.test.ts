import { MINUTE_MS } from '@lambda-iot/core';
import { AnomalyInjector } from './anomaly-injector';
import { periodicReadings, type PeriodicReadingsOptions } from './periodic-readings';
import { simulatedDevices } from './simulated-device';

const T0 = Date.UTC(2026, 4, 1);
const PERIOD = 10_000;
const OPTIONS: PeriodicReadingsOptions = {
  devices: simulatedDevices(5, 3, PERIOD),
  from: T0,
  to: T0 + 10 * MINUTE_MS,
  seed: 3,
  stream: 'day',
  metrics: ['temperature', 'humidity', 'vibration'],
  periodMs: PERIOD,
};

describe('periodicReadings', () => {
  it('yields every metric of every device once per period, at its sampling offset, in event-time order', () => {
    const readings = [...periodicReadings(OPTIONS)];
    expect(readings).toHaveLength(60 * 5 * 3);
    for (let i = 1; i < readings.length; i++)
      expect(readings[i]!.ts).toBeGreaterThanOrEqual(readings[i - 1]!.ts);
    for (const d of OPTIONS.devices)
      for (const metric of OPTIONS.metrics) {
        const ts = readings.filter((r) => r.deviceId === d.deviceId && r.metric === metric).map((r) => r.ts);
        expect(ts).toEqual(Array.from({ length: 60 }, (_, k) => T0 + k * PERIOD + d.offset));
      }
  });

  it('orders devices by sampling offset, whatever order they are given in', () => {
    const devices = [...OPTIONS.devices].reverse();
    const first = [...periodicReadings({ ...OPTIONS, devices, to: T0 + PERIOD })];
    expect(first.map((r) => r.ts)).toEqual([...first.map((r) => r.ts)].sort((a, b) => a - b));
    expect([...periodicReadings({ ...OPTIONS, devices })]).toEqual([...periodicReadings(OPTIONS)]);
  });

  it('repeats its values for the same seed and stream, and draws others for another stream', () => {
    const values = (stream: string) => [...periodicReadings({ ...OPTIONS, stream })].map((r) => r.value);
    expect(values('day')).toEqual(values('day'));
    expect(values('day')).not.toEqual(values('night'));
  });

  it('passes readings through the injector, leaving out what a dropout swallows', () => {
    const injector = new AnomalyInjector({
      seed: 1,
      deviceIds: OPTIONS.devices.map((d) => d.deviceId),
      metrics: OPTIONS.metrics,
      from: T0,
      to: T0 + 6 * 60 * MINUTE_MS,
      perDevice: 1,
      kinds: ['dropout'],
    });
    const options = { ...OPTIONS, to: T0 + 6 * 60 * MINUTE_MS };
    const clean = [...periodicReadings(options)];
    const injected = [...periodicReadings({ ...options, injector })];
    const silenced = (r: { deviceId: string; metric: string; ts: number }) =>
      injector.labels.some(
        (l) => l.deviceId === r.deviceId && l.metric === r.metric && r.ts >= l.start && r.ts < l.end,
      );
    expect(injector.labels.length).toBeGreaterThan(0);
    expect(injected).toEqual(clean.filter((r) => !silenced(r)));
  });

  it('refuses a sampling offset outside the period', () => {
    const [d] = OPTIONS.devices;
    const late = { ...d!, offset: PERIOD };
    expect(() => [...periodicReadings({ ...OPTIONS, devices: [late] })]).toThrow(RangeError);
  });
});
