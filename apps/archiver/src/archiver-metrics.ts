// Prometheus metrics of the archiver: throughput, files, flush latency, lag and refused input.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ArchiveRejection, FlushInfo } from '@lambda-iot/archive';

export class ArchiverMetrics {
  private readonly readings: Counter;
  private readonly files: Counter;
  private readonly flushSeconds: Histogram;
  private readonly rejected: Counter;
  private readonly deadLetters: Counter;
  private readonly lag: Gauge;
  private readonly errors: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.readings = new Counter({
      name: 'archiver_readings_total',
      help: 'Readings written to the archive',
      registers,
    });
    this.files = new Counter({ name: 'archiver_files_total', help: 'Parquet files written', registers });
    this.flushSeconds = new Histogram({
      name: 'archiver_flush_seconds',
      help: 'Duration of one flush (all its hour files and the Redis update)',
      labelNames: ['reason'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.rejected = new Counter({
      name: 'archiver_rejected_total',
      help: 'Readings or envelopes refused by validation',
      labelNames: ['reason'],
      registers,
    });
    this.deadLetters = new Counter({
      name: 'archiver_dead_letters_total',
      help: 'Refused records published to the dead-letter topic',
      registers,
    });
    this.lag = new Gauge({
      name: 'archiver_partition_lag',
      help: 'Records behind the high watermark',
      labelNames: ['partition'],
      registers,
    });
    this.errors = new Counter({
      name: 'archiver_errors_total',
      help: 'Background errors',
      labelNames: ['context'],
      registers,
    });
  }

  flushed(info: FlushInfo): void {
    this.readings.inc(info.readings);
    this.files.inc(info.files);
    this.flushSeconds.labels(info.reason).observe(info.durationMs / 1000);
  }

  refused(rejection: ArchiveRejection): void {
    for (const r of rejection.rejections) this.rejected.labels(r.reason).inc();
  }

  deadLettered(records: number): void {
    this.deadLetters.inc(records);
  }

  batch(info: { partition: number; lag: number }): void {
    this.lag.labels(String(info.partition)).set(info.lag);
  }

  error(context: string): void {
    this.errors.labels(context.replace(/ p\d+$/, '')).inc();
  }
}
