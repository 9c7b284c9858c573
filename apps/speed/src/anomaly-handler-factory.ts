// Opens speed partition handlers that also score closed windows: one anomaly sink (and detector) per partition.
import type { Checkpoint, PartitionHandler, PartitionHandlerFactory } from '@lambda-iot/kafka';
import {
  SpeedHandlerFactory,
  type PartitionStats,
  type SpeedHandlerOptions,
  type WindowSink,
} from '@lambda-iot/speed-layer';

export interface AnomalyHandlerFactoryOptions {
  speed: SpeedHandlerOptions;
  /** The partition's scoring sink; per partition because a partition's closed windows are its gap clock. */
  sinkFor: (partition: number) => Promise<WindowSink>;
}

/** Composes the speed layer's own factory per partition, adding the partition's scoring sink to its hot sinks. */
export class AnomalyHandlerFactory implements PartitionHandlerFactory {
  private readonly byPartition = new Map<number, SpeedHandlerFactory>();

  constructor(private readonly options: AnomalyHandlerFactoryOptions) {}

  async open(topic: string, partition: number, committed: Checkpoint | undefined): Promise<PartitionHandler> {
    const sink = await this.options.sinkFor(partition);
    const factory = new SpeedHandlerFactory({
      ...this.options.speed,
      hotSinks: [...this.options.speed.hotSinks, sink],
    });
    this.byPartition.set(partition, factory);
    return factory.open(topic, partition, committed);
  }

  stats(): PartitionStats[] {
    return [...this.byPartition.values()].flatMap((f) => f.stats()).sort((a, b) => a.partition - b.partition);
  }
}
