// Runs a kafkajs consumer group with manual commits: handlers decide what is safe to commit, the runner commits it.
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { KafkaError } from './errors';
import type {
  BatchContext,
  Checkpoint,
  PartitionHandler,
  PartitionHandlerFactory,
} from './partition-handler';

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  groupId: string;
  topic: string;
  factory: PartitionHandlerFactory;
  /** How often offsets are committed; also bounds how much a crash replays. */
  commitIntervalMs?: number;
  /** Read from the start of the topic when the group has no committed offset (the pipeline never skips data). */
  fromBeginning?: boolean;
  /** Partitions of one process handled in parallel. */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  /** Background failures (a failed commit or checkpoint) are reported here, never thrown into the void. */
  onError?: (err: unknown, context: string) => void;
  /** Called after each batch, for lag and throughput metrics. */
  onBatch?: (info: { partition: number; records: number; lag: number }) => void;
  now?: () => number;
}

interface Owned {
  handler: PartitionHandler;
  lastCommit: number;
  committed: string | undefined;
  abort: AbortController;
}

export class ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly owned = new Map<number, Owned>();
  private readonly opening = new Map<number, Promise<Owned>>();
  private readonly lag = new Map<number, number>();
  private readonly options: Required<Omit<ConsumerRunnerOptions, 'onBatch' | 'onError'>> &
    Pick<ConsumerRunnerOptions, 'onBatch' | 'onError'>;
  private closing: Promise<void> | undefined;
  private started: Promise<void> | undefined;
  private readonly readyPromise: Promise<void>;
  private markReady!: () => void;

  constructor(options: ConsumerRunnerOptions) {
    this.options = {
      commitIntervalMs: 1_000,
      fromBeginning: true,
      partitionsConsumedConcurrently: 1,
      sessionTimeoutMs: 30_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      now: Date.now,
      ...options,
    };
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: 3_000,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      allowAutoTopicCreation: false,
    });
    this.admin = options.kafka.admin();
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      this.onAssignment(event.payload.memberAssignment[this.options.topic] ?? []).catch((err: unknown) =>
        this.report(err, 'releasing revoked partitions'),
      );
      this.markReady();
    });
    this.consumer.on(this.consumer.events.CRASH, (event) =>
      this.report(event.payload.error, 'consumer crashed'),
    );
  }

  /** Resolves once the group was joined and partitions were assigned (possibly none). */
  get ready(): Promise<void> {
    return this.readyPromise;
  }

  /** Last known lag (records behind the high watermark) per owned partition. */
  partitionLag(): ReadonlyMap<number, number> {
    return this.lag;
  }

  ownedPartitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  start(): Promise<void> {
    this.started ??= (async () => {
      await this.admin.connect();
      await this.consumer.connect();
      await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: this.options.fromBeginning });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.eachBatch(payload),
      });
    })().catch((err: unknown) => {
      throw KafkaError.from(err, `starting consumer group ${this.options.groupId}`);
    });
    return this.started;
  }

  /** Stops fetching, lets in-flight batches finish, checkpoints and commits every partition, then disconnects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.started?.catch(() => undefined);
      await this.consumer.stop().catch((err: unknown) => this.report(err, 'stopping consumer'));
      for (const [partition, owned] of this.owned) {
        await this.commit(partition, owned, true).catch((err: unknown) =>
          this.report(err, `final commit p${partition}`),
        );
        await this.release(partition);
      }
      await this.consumer.disconnect().catch((err: unknown) => this.report(err, 'disconnecting consumer'));
      await this.admin.disconnect().catch((err: unknown) => this.report(err, 'disconnecting admin'));
    })();
    return this.closing;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale() || this.closing) return;
    const owned = await this.own(batch.partition);
    const ctx: BatchContext = { heartbeat: () => payload.heartbeat(), signal: owned.abort.signal };
    if (batch.messages.length > 0) {
      await owned.handler.handle(batch.messages, ctx);
      payload.resolveOffset(batch.lastOffset());
    }
    const lag = Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1);
    this.lag.set(batch.partition, lag);
    this.options.onBatch?.({ partition: batch.partition, records: batch.messages.length, lag });
    if (this.options.now() - owned.lastCommit >= this.options.commitIntervalMs) {
      await this.commit(batch.partition, owned, false).catch((err: unknown) =>
        this.report(err, `checkpoint p${batch.partition}`),
      );
    }
    await payload.heartbeat();
  }

  private async commit(partition: number, owned: Owned, final: boolean): Promise<void> {
    owned.lastCommit = this.options.now();
    const ctx: BatchContext = { heartbeat: async () => undefined, signal: owned.abort.signal };
    const checkpoint = await owned.handler.checkpoint(ctx);
    if (!checkpoint || (checkpoint.offset === owned.committed && !final)) return;
    await this.consumer.commitOffsets([
      { topic: this.options.topic, partition, offset: checkpoint.offset, metadata: checkpoint.metadata },
    ]);
    owned.committed = checkpoint.offset;
  }

  private own(partition: number): Promise<Owned> {
    const existing = this.owned.get(partition);
    if (existing) return Promise.resolve(existing);
    let opening = this.opening.get(partition);
    if (!opening) {
      opening = (async () => {
        const committed = await this.committedCheckpoint(partition);
        const handler = await this.options.factory.open(this.options.topic, partition, committed);
        const owned: Owned = {
          handler,
          lastCommit: this.options.now(),
          committed: committed?.offset,
          abort: new AbortController(),
        };
        this.owned.set(partition, owned);
        return owned;
      })().finally(() => this.opening.delete(partition));
      this.opening.set(partition, opening);
    }
    return opening;
  }

  private async committedCheckpoint(partition: number): Promise<Checkpoint | undefined> {
    const offsets = await this.admin.fetchOffsets({
      groupId: this.options.groupId,
      topics: [this.options.topic],
    });
    const entry = offsets[0]?.partitions.find((p) => p.partition === partition);
    if (!entry || entry.offset === '-1') return undefined;
    return { offset: entry.offset, metadata: entry.metadata ?? null };
  }

  /**
   * kafkajs has no revoke callback: after a rebalance we learn the new assignment and drop handlers of partitions
   * we lost. Their state is rebuilt by the new owner from the last commit, which is why writes are idempotent.
   */
  private async onAssignment(assigned: number[]): Promise<void> {
    const keep = new Set(assigned);
    for (const partition of [...this.owned.keys()]) {
      if (!keep.has(partition)) await this.release(partition);
    }
  }

  private async release(partition: number): Promise<void> {
    const owned = this.owned.get(partition);
    if (!owned) return;
    this.owned.delete(partition);
    this.lag.delete(partition);
    owned.abort.abort();
    await owned.handler.close().catch((err: unknown) => this.report(err, `closing handler p${partition}`));
  }

  private report(err: unknown, context: string): void {
    if (this.options.onError) this.options.onError(err, context);
  }
}
