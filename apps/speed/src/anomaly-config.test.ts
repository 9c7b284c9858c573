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
        driftWindows: 5,
        stuckWindows: 5,
        gapMinutes: 5,
        resolveWindows: 3,
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
  });
});
