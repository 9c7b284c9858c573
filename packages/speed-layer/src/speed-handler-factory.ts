// Opens a SpeedPartitionHandler per assigned partition, resuming from the checkpoint committed with its offset.
import type { Checkpoint, PartitionHandler, PartitionHandlerFactory } from '@lambda-iot/kafka';
import { decodeCheckpointMetadata } from './partition-checkpoint';
import {
  SpeedPartitionHandler,
  type PartitionStats,
  type SpeedHandlerOptions,
} from './speed-partition-handler';

export class SpeedHandlerFactory implements PartitionHandlerFactory {
  private readonly live = new Map<number, SpeedPartitionHandler>();

  constructor(private readonly options: SpeedHandlerOptions) {}

  async open(topic: string, partition: number, committed: Checkpoint | undefined): Promise<PartitionHandler> {
    const resume =
      committed === undefined
        ? undefined
        : decodeCheckpointMetadata(Number(committed.offset), committed.metadata);
    const handler = new SpeedPartitionHandler(topic, partition, resume, this.options);
    this.live.set(partition, handler);
    this.options.logger?.info({ partition, resume }, 'partition assigned');
    const close = handler.close.bind(handler);
    handler.close = async () => {
      if (this.live.get(partition) === handler) this.live.delete(partition);
      await close();
    };
    return handler;
  }

  /** Stats of every partition this process currently owns, by partition. */
  stats(): PartitionStats[] {
    return [...this.live.values()].map((h) => h.stats()).sort((a, b) => a.partition - b.partition);
  }
}
