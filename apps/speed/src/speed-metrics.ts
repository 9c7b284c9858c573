// Prometheus metrics of the speed app, fed by the handler's observer and by the periodic status refresh.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PartitionStats, RecordCounts, SpeedObserver } from '@lambda-iot/speed-layer';

export class SpeedMetrics implements SpeedObserver {
  private readonly readings: Counter<'outcome'>;
  private readonly records: Counter;
  private readonly sinkSeconds: Histogram<'sink' | 'result'>;
  private readonly sinkWindows: Counter<'sink'>;
  private readonly errors: Counter;
  private readonly lag: Gauge<'partition'>;
  private readonly watermark: Gauge<'partition'>;
  private readonly openWindows: Gauge<'partition'>;
  private readonly unwritten: Gauge<'partition'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.readings = new Counter({
      name: 'speed_readings_total',
      help: 'Readings consumed, by outcome (applied, duplicates, late, replayed, invalid); rate() gives readings/s',
      labelNames: ['outcome'],
      registers,
    });
    this.records = new Counter({ name: 'speed_records_total', help: 'Kafka records consumed', registers });
    this.sinkSeconds = new Histogram({
      name: 'speed_sink_write_seconds',
      help: 'Latency of one batch write to a sink',
      labelNames: ['sink', 'result'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.sinkWindows = new Counter({
      name: 'speed_sink_windows_total',
      help: 'Windows written, by sink',
      labelNames: ['sink'],
      registers,
    });
    this.errors = new Counter({
      name: 'speed_background_errors_total',
      help: 'Handled background failures',
      registers,
    });
    this.lag = new Gauge({
      name: 'speed_consumer_lag',
      help: 'Records behind the partition high watermark',
      labelNames: ['partition'],
      registers,
    });
    this.watermark = new Gauge({
      name: 'speed_watermark_ms',
      help: 'Event-time watermark per partition (epoch ms)',
      labelNames: ['partition'],
      registers,
    });
    this.openWindows = new Gauge({
      name: 'speed_open_windows',
      help: 'Windows held open in memory',
      labelNames: ['partition'],
      registers,
    });
    this.unwritten = new Gauge({
      name: 'speed_unwritten_windows',
      help: 'Closed windows waiting for a sink',
      labelNames: ['partition'],
      registers,
    });
  }

  onRecords(_partition: number, counts: RecordCounts): void {
    this.records.inc(counts.records);
    for (const outcome of ['applied', 'duplicates', 'late', 'replayed', 'invalid'] as const) {
      if (counts[outcome] > 0) this.readings.inc({ outcome }, counts[outcome]);
    }
  }

  onSinkWrite(sink: string, windows: number, seconds: number, ok: boolean): void {
    this.sinkSeconds.observe({ sink, result: ok ? 'ok' : 'error' }, seconds);
    if (ok) this.sinkWindows.inc({ sink }, windows);
  }

  onError(): void {
    this.errors.inc();
  }

  /** Replaces the per-partition gauges, so partitions this process lost disappear. */
  setPartitions(stats: readonly PartitionStats[], lag: ReadonlyMap<number, number>): void {
    for (const gauge of [this.lag, this.watermark, this.openWindows, this.unwritten]) gauge.reset();
    for (const s of stats) {
      const partition = String(s.partition);
      this.lag.set({ partition }, lag.get(s.partition) ?? 0);
      if (Number.isFinite(s.watermark)) this.watermark.set({ partition }, s.watermark);
      this.openWindows.set({ partition }, s.openWindows);
      this.unwritten.set({ partition }, s.unwrittenWindows);
    }
  }
}
