// Prometheus metrics of the batch app: jobs by outcome, job duration, rows recomputed, the boundary.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class BatchMetrics {
  readonly jobs: Counter;
  readonly jobSeconds: Histogram;
  readonly rows: Counter;
  readonly boundary: Gauge;
  readonly errors: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.jobs = new Counter({
      name: 'batch_jobs_total',
      help: 'Batch jobs by name and outcome',
      labelNames: ['name', 'outcome'],
      registers,
    });
    this.jobSeconds = new Histogram({
      name: 'batch_job_seconds',
      help: 'Duration of successful batch jobs',
      labelNames: ['name'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
    this.rows = new Counter({
      name: 'batch_view_rows_total',
      help: '1-minute batch-view rows written',
      registers,
    });
    this.boundary = new Gauge({
      name: 'batch_boundary_ms',
      help: 'The batch boundary B (epoch ms)',
      registers,
    });
    this.errors = new Counter({
      name: 'batch_errors_total',
      help: 'Background errors',
      labelNames: ['context'],
      registers,
    });
  }
}
