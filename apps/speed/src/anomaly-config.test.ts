import { loadConfig } from './config';

describe('loadConfig: anomaly scoring', () => {
  it('scores by default with the documented thresholds and rules for the simulator metrics', () => {
    const { anomaly } = loadConfig({});
    expect(anomaly).toMatchObject({
      enabled: true,
      baselinePollMs: 5_000,
      alertsTopic: 'alerts',
      detector: {
        spikeThreshold: 6,
        driftThreshold: 3,
        driftWindows: 3,
        stuckMinutes: 1,
        gapMinutes: 1,
        resolveWindows: 3,
        spikeStep: 6,
        driftCusumSlack: 1.5,
        driftCusumThreshold: 5,
        driftCusumCap: 4,
        onlineMinWindows: 30,
        onlineMaxWindows: 60,
        onlineMaxAgeMinutes: 45,
        metrics: { energy: { baseline: false }, humidity: { min: 0, max: 100, scaleFloor: 0.5 } },
      },
    });
  });

  it('reads overrides and refuses bad rules or a spike threshold below the drift threshold', () => {
    expect(
      loadConfig({ ANOMALY_SPIKE_THRESHOLD: '8', ANOMALY_GAP: '10m', ANOMALY_METRICS: '{"p":{"max":5}}' })
        .anomaly.detector,
    ).toMatchObject({ spikeThreshold: 8, gapMinutes: 10, metrics: { p: { max: 5 } } });
    expect(() => loadConfig({ ANOMALY_METRICS: '{"p":{"max":"x"}}' })).toThrow(/ANOMALY_METRICS: rule of p/);
    expect(() => loadConfig({ ANOMALY_SPIKE_THRESHOLD: '2' })).toThrow(/must not be below/);
    expect(
      loadConfig({ ANOMALY_SPIKE_STEP: '4', ANOMALY_ONLINE_MIN_WINDOWS: '20', ANOMALY_ONLINE_MAX_AGE: '1h' })
        .anomaly.detector,
    ).toMatchObject({ spikeStep: 4, onlineMinWindows: 20, onlineMaxAgeMinutes: 60 });
    expect(
      loadConfig({ ANOMALY_DRIFT_CUSUM_SLACK: '2', ANOMALY_DRIFT_CUSUM_THRESHOLD: '8' }).anomaly.detector,
    ).toMatchObject({ driftCusumSlack: 2, driftCusumThreshold: 8, driftCusumCap: 4 });
    expect(loadConfig({ ANOMALY_DRIFT_CUSUM: 'false' }).anomaly.detector.driftCusumThreshold).toBe(Infinity);
    expect(() => loadConfig({ ANOMALY_DRIFT_CUSUM_THRESHOLD: '0' })).toThrow(/ANOMALY_DRIFT_CUSUM_THRESHOLD/);
    expect(() => loadConfig({ ANOMALY_ONLINE_MIN_WINDOWS: '90' })).toThrow(
      /ANOMALY_ONLINE_MAX_WINDOWS must not be below/,
    );
  });
});
