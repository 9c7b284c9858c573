// Prometheus metrics of anomaly scoring in the speed app: alert events, the baseline in use, failures.
import type { AlertEvent, BaselineModel } from '@lambda-iot/anomaly';
import { Counter, Gauge, type Registry } from 'prom-client';

export class AnomalyMetrics {
  private readonly events: Counter<'kind' | 'state'>;
  private readonly baseline: Gauge<'version'>;
  private readonly reloads: Counter;
  readonly errors: Counter<'context'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.events = new Counter({
      name: 'anomaly_alert_events_total',
      help: 'Alert events published, by kind and state (open, resolved)',
      labelNames: ['kind', 'state'],
      registers,
    });
    this.baseline = new Gauge({
      name: 'anomaly_baseline_fitted_at_seconds',
      help: 'Fit time of the baseline in use, by version (absent: no baseline loaded, nothing is scored)',
      labelNames: ['version'],
      registers,
    });
    this.reloads = new Counter({
      name: 'anomaly_baseline_loads_total',
      help: 'Baseline versions loaded',
      registers,
    });
    this.errors = new Counter({
      name: 'anomaly_errors_total',
      help: 'Handled anomaly-scoring failures (baseline load, alert restore, online-baseline restore, alert publish)',
      labelNames: ['context'],
      registers,
    });
  }

  onEvents(events: readonly AlertEvent[]): void {
    for (const e of events) this.events.inc({ kind: e.kind, state: e.state });
  }

  onBaseline(model: BaselineModel): void {
    this.baseline.reset();
    this.baseline.set({ version: model.version }, model.fittedAt / 1000);
    this.reloads.inc();
  }
}
