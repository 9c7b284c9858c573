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
  /**
   * Keeps the group membership alive while a handler waits, e.g. on a sink that is down (kafkajs' heartbeat,
   * throttled to its interval, so calling it often is cheap). Rejects when the group is rebalancing: a handler
   * waiting in `handle` should then return, so that the runner can commit and the member rejoin in time.
   */
  heartbeat(): Promise<void>;
  /** Aborted when the runner is closing or the partition is revoked; long waits should give up then. */
  signal: AbortSignal;
}

/**
 * A partition's logic. The runner calls `handle` and `checkpoint` one at a time (never overlapping each other),
 * `close` once after the last of them finished.
 */
export interface PartitionHandler {
  /** Processes records of its partition, in offset order, each record once per handler (no re-deliveries). */
  handle(records: readonly KafkaMessage[], ctx: BatchContext): Promise<void>;
  /**
   * Makes everything handled so far durable (flushes to the handler's sinks) and returns the position that is
   * now safe to commit, or undefined if nothing new is. Throws if the flush failed; the runner retries later.
   * Called after batches, on a timer (also when the partition is idle), on revoke and on close; `ctx.heartbeat`
   * is the real one, so a slow flush can keep the member in the group.
   */
  checkpoint(ctx: BatchContext): Promise<Checkpoint | undefined>;
  /**
   * Releases the partition; the runner has already taken a last checkpoint where it still could (on close, and on
   * a revoke it noticed in time). `ctx.signal` was aborted just before.
   */
  close(): Promise<void>;
}

export interface PartitionHandlerFactory {
  /** Builds the handler for a newly assigned partition, resuming from its committed checkpoint (if any). */
  open(topic: string, partition: number, committed: Checkpoint | undefined): Promise<PartitionHandler>;
}
