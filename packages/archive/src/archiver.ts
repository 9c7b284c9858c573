// The archiver: a consumer group on `readings` whose partition handlers write the Parquet master dataset.
import type { Kafka } from 'kafkajs';
import type { Redis } from 'ioredis';
import { DuckDBInstance } from '@duckdb/node-api';
import { systemClock, type Clock } from '@lambda-iot/core';
import {
  ConsumerRunner,
  type Checkpoint,
  type PartitionHandler,
  type PartitionHandlerFactory,
} from '@lambda-iot/kafka';
import { listArchiveFiles } from './archive-files';
import { planFlushEnds } from './flush-plan';
import { HourLedger } from './hour-ledger';
import { readHourOrderHandovers } from './hour-order-handover';
import {
  ArchivePartitionHandler,
  type ArchiveRejection,
  type DeadLetterPublisher,
  type FlushInfo,
} from './archive-partition-handler';

export interface ArchiverOptions {
  kafka: Kafka;
  redis: Redis;
  /** Redis key prefix (the connection config's keyPrefix, 'liot:' by default). */
  keyPrefix: string;
  root: string;
  topic: string;
  groupId: string;
  latenessMs: number;
  /** See `HourLedgerOptions.idleTimeoutMs`; 0 (the default) waits for every partition. */
  partitionIdleTimeoutMs?: number;
  /** Publishes refused records to the dead-letter topic. */
  deadLetters: DeadLetterPublisher;
  flushMaxReadings: number;
  flushMaxAgeMs: number;
  commitIntervalMs?: number;
  /** How long the group waits for a silent member (a killed process) before reassigning its partitions. */
  sessionTimeoutMs?: number;
  partitionsConsumedConcurrently?: number;
  clock?: Clock;
  onRejected?: (rejection: ArchiveRejection) => void;
  onFlush?: (info: FlushInfo) => void;
  onBatch?: (info: { partition: number; records: number; lag: number }) => void;
  onError?: (err: unknown, context: string) => void;
  onResume?: (info: {
    partition: number;
    committedOffset: number | undefined;
    plannedEnds: readonly number[];
    /** Event hours whose order claims continue the predecessor's (see `readHourOrderHandovers`). */
    continuedHours: number;
  }) => void;
}

/** Builds one handler per assigned partition, resuming crashed flushes exactly (see `planFlushEnds`). */
export class ArchiveHandlerFactory implements PartitionHandlerFactory {
  private instance: DuckDBInstance | undefined;
  readonly ledger: HourLedger;

  constructor(private readonly options: ArchiverOptions) {
    this.ledger = new HourLedger({
      redis: options.redis,
      keyPrefix: options.keyPrefix,
      latenessMs: options.latenessMs,
      ...(options.partitionIdleTimeoutMs !== undefined
        ? { idleTimeoutMs: options.partitionIdleTimeoutMs }
        : {}),
    });
  }

  async open(topic: string, partition: number, committed: Checkpoint | undefined): Promise<PartitionHandler> {
    this.instance ??= await DuckDBInstance.create(':memory:', { threads: '1' });
    const committedOffset = committed === undefined ? undefined : Number(committed.offset);
    const files = await listArchiveFiles(this.options.root, partition);
    const plannedEnds = planFlushEnds(committedOffset ?? 0, files);
    const connection = await this.instance.connect();
    // Only the batch layer's speed depends on the handover (its proofs); without it the runs start afresh.
    const handovers = await readHourOrderHandovers(connection, files, committedOffset).catch(
      (err: unknown) => {
        this.options.onError?.(err, `reading the order claims of p${partition}`);
        return [];
      },
    );
    this.options.onResume?.({ partition, committedOffset, plannedEnds, continuedHours: handovers.length });
    const clock = this.options.clock ?? systemClock;
    const handler = new ArchivePartitionHandler({
      root: this.options.root,
      partition,
      committedOffset,
      plannedEnds,
      handovers,
      connection,
      ledger: this.ledger,
      deadLetters: this.options.deadLetters,
      topic,
      maxReadings: this.options.flushMaxReadings,
      maxAgeMs: this.options.flushMaxAgeMs,
      now: () => clock.now(),
      ...(this.options.onRejected ? { onRejected: this.options.onRejected } : {}),
      ...(this.options.onFlush ? { onFlush: this.options.onFlush } : {}),
      ...(this.options.onError ? { onError: this.options.onError } : {}),
    });
    return {
      handle: (records, ctx) => handler.handle(records, ctx),
      checkpoint: (ctx) => handler.checkpoint(ctx),
      close: async () => {
        await handler.close();
        connection.closeSync();
      },
    };
  }

  close(): void {
    this.instance?.closeSync();
    this.instance = undefined;
  }
}

/** Lifecycle wrapper: start joins the group, close flushes and commits every partition, then disconnects. */
export class Archiver {
  readonly factory: ArchiveHandlerFactory;
  readonly runner: ConsumerRunner;
  private closing: Promise<void> | undefined;

  constructor(options: ArchiverOptions) {
    this.factory = new ArchiveHandlerFactory(options);
    this.runner = new ConsumerRunner({
      kafka: options.kafka,
      groupId: options.groupId,
      topic: options.topic,
      factory: this.factory,
      commitIntervalMs: options.commitIntervalMs ?? 1_000,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 2,
      sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
      ...(options.onError ? { onError: options.onError } : {}),
      ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    });
  }

  get ready(): Promise<void> {
    return this.runner.ready;
  }

  async start(): Promise<void> {
    await this.runner.start();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.runner.close();
      this.factory.close();
    })();
    return this.closing;
  }
}
