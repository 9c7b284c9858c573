// The contract between the consumer runner and a layer's per-partition logic (speed windows, archive files).
import type { KafkaMessage } from 'kafkajs';

/** Where a partition was left: the next offset to read and the state the handler stored beside it. */
export interface Checkpoint {
  /** The next offset to consume (Kafka's committed-offset convention), as a decimal string. */
  offset: string;
  /** Opaque handler state committed atomically with the offset, e.g. the partition's watermark. */
  metadata: string | null;
}

export interface BatchContext {
  /** Keeps the group membership alive while a handler waits, e.g. on a sink that is down. */
  heartbeat(): Promise<void>;
  /** Aborted when the runner is closing or the partition is revoked; long waits should give up then. */
  signal: AbortSignal;
}

export interface PartitionHandler {
  /** Processes records of its partition, always in offset order and never concurrently with itself. */
  handle(records: readonly KafkaMessage[], ctx: BatchContext): Promise<void>;
  /**
   * Makes everything handled so far durable (flushes to the handler's sinks) and returns the position that is
   * now safe to commit, or undefined if nothing new is. Throws if the flush failed; the runner retries later.
   */
  checkpoint(ctx: BatchContext): Promise<Checkpoint | undefined>;
  /** Releases the partition; the runner has already taken a last checkpoint where it still owned it. */
  close(): Promise<void>;
}

export interface PartitionHandlerFactory {
  /** Builds the handler for a newly assigned partition, resuming from its committed checkpoint (if any). */
  open(topic: string, partition: number, committed: Checkpoint | undefined): Promise<PartitionHandler>;
}
