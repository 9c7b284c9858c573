// Runs a kafkajs consumer group with manual commits: handlers decide what is safe to commit, the runner commits it.
//
// When a partition is committed:
// - after a batch, and on a timer for every owned partition (an idle partition still gets its last flush committed);
// - on revoke: kafkajs has no revoke callback, but a member learns of a rebalance from a heartbeat answered
//   REBALANCE_IN_PROGRESS, and until it sends JoinGroup the group waits for it while still accepting commits of the
//   old generation (the coordinator's PreparingRebalance state). Heartbeats sent from a batch (the handler's and the
//   runner's own after the batch) or from the runner's timer that see this checkpoint and commit every owned
//   partition first; a batch then rethrows, which is what makes kafkajs rejoin, so the commit is awaited before our
//   JoinGroup. kafkajs' own heartbeat (between fetches) can see it first; then the REBALANCING event starts the same
//   commits without being able to hold the rejoin, and they may fail with REBALANCE_IN_PROGRESS/ILLEGAL_GENERATION.
//   Correctness never depends on a revoke commit: the new owner replays from the last commit and writes are idempotent;
// - on close, for all partitions in parallel, while the member is still in the group (kafkajs ignores commits once
//   the consumer is stopped).
// What is never committed: a partition this member no longer owns. The broker checks generation and member, not
// ownership, so a commit sent with the new generation for a partition that moved could move the new owner's offset
// back. GROUP_JOIN (emitted before any I/O callback can run after kafkajs adopts the new generation) synchronously
// marks lost partitions released, and every commit checks that mark right before kafkajs reads the generation.
// Handle and checkpoint of one partition never overlap (a per-partition lock), so a handler needs no locking.
import type { Admin, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
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
  /**
   * How often each partition is checkpointed and committed, after batches and on a timer when idle; also bounds
   * how much a crash replays. 0 commits after every batch.
   */
  commitIntervalMs?: number;
  /** Read from the start of the topic when the group has no committed offset (the pipeline never skips data). */
  fromBeginning?: boolean;
  /** Partitions of one process handled in parallel. */
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  maxBytesPerPartition?: number;
  /** How long close() lets an in-flight batch finish before aborting its waits (e.g. on a sink that is down). */
  closeGraceMs?: number;
  /** Background failures (a failed commit or checkpoint) are reported here, never thrown into the void. */
  onError?: (err: unknown, context: string) => void;
  /** Called after each batch, for lag and throughput metrics. */
  onBatch?: (info: { partition: number; records: number; lag: number }) => void;
  /** Called after each successful commit, for metrics and tests. */
  onCommit?: (info: { partition: number; offset: string; reason: CommitReason }) => void;
  now?: () => number;
}

export type CommitReason = 'batch' | 'interval' | 'revoke' | 'close';

interface Owned {
  partition: number;
  handler: PartitionHandler;
  /** When the last checkpoint was taken (successful or not). */
  lastCommit: number;
  committed: Checkpoint | undefined;
  /** The next offset the handler expects; kafkajs re-delivers from the last commit after a rejoin. */
  next: bigint | undefined;
  abort: AbortController;
  /** Serializes handle() and checkpoint() of this partition. */
  lock: Promise<void>;
  /** Set (synchronously) once the partition is no longer ours: nothing may be committed for it any more. */
  released: boolean;
  timerQueued: boolean;
}

type Heartbeat = () => Promise<void>;

const TIMER_MIN_MS = 100;
const TIMER_MAX_MS = 1_000;
const DEFAULT_CLOSE_GRACE_MS = 15_000;
/** kafkajs' heartbeat interval (it throttles heartbeats to it, so beating more often costs nothing). */
const HEARTBEAT_INTERVAL_MS = 3_000;

/** The coordinator answers this while the group is preparing a rebalance: our generation is still valid. */
function isRebalanceInProgress(err: unknown): boolean {
  return (
    typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'REBALANCE_IN_PROGRESS'
  );
}

function isIllegalGeneration(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'ILLEGAL_GENERATION';
}

export class ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly owned = new Map<number, Owned>();
  private readonly opening = new Map<number, Promise<Owned>>();
  private readonly lag = new Map<number, number>();
  private readonly options: Required<Omit<ConsumerRunnerOptions, 'onBatch' | 'onError' | 'onCommit'>> &
    Pick<ConsumerRunnerOptions, 'onBatch' | 'onError' | 'onCommit'>;
  private closing: Promise<void> | undefined;
  private started: Promise<void> | undefined;
  private readonly readyPromise: Promise<void>;
  private markReady!: () => void;
  private timer: NodeJS.Timeout | undefined;
  /** kafkajs' heartbeat (throttled to its interval), captured from a batch so timers and checkpoints can use it. */
  private heartbeat: Heartbeat | undefined;
  private revoking: Promise<void> | undefined;
  private batchesInFlight = 0;
  private memberId: string | undefined;
  /** This member's partitions as of the last GROUP_JOIN. */
  private assigned: ReadonlySet<number> | undefined;

  constructor(options: ConsumerRunnerOptions) {
    this.options = {
      commitIntervalMs: 1_000,
      fromBeginning: true,
      partitionsConsumedConcurrently: 1,
      sessionTimeoutMs: 30_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      closeGraceMs: DEFAULT_CLOSE_GRACE_MS,
      now: Date.now,
      ...options,
    };
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      allowAutoTopicCreation: false,
    });
    this.admin = options.kafka.admin();
    this.readyPromise = new Promise((resolve) => (this.markReady = resolve));
    this.consumer.on(this.consumer.events.GROUP_JOIN, (event) => {
      // Must stay synchronous up to the release marks: see the module comment.
      const memberChanged = this.memberId !== undefined && this.memberId !== event.payload.memberId;
      this.memberId = event.payload.memberId;
      // A new member id means we were expelled meanwhile: another member may have owned and committed our
      // partitions, so even partitions assigned to us again restart from the group's commit.
      this.assigned = new Set(event.payload.memberAssignment[this.options.topic] ?? []);
      const keep = memberChanged ? new Set<number>() : this.assigned;
      for (const partition of [...this.owned.keys()]) {
        if (!keep.has(partition))
          this.release(partition).catch((err: unknown) => this.report(err, `releasing p${partition}`));
      }
      this.markReady();
    });
    this.consumer.on(this.consumer.events.REBALANCING, () => {
      // Best effort: kafkajs rejoins right after this event without waiting for us.
      this.revokeAll().catch((err: unknown) => this.report(err, 'commit on revoke'));
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
      const period = Math.min(TIMER_MAX_MS, Math.max(TIMER_MIN_MS, this.options.commitIntervalMs));
      this.timer = setInterval(() => this.tick(), period);
      this.timer.unref();
    })().catch((err: unknown) => {
      throw KafkaError.from(err, `starting consumer group ${this.options.groupId}`);
    });
    return this.started;
  }

  /**
   * Stops intake, lets in-flight batches finish, checkpoints and commits every partition in parallel while still a
   * member of the group, then leaves the group and disconnects.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.started?.catch(() => undefined);
      if (this.timer) clearInterval(this.timer);
      try {
        this.consumer.pause([{ topic: this.options.topic }]);
      } catch {
        // Not running (start failed): nothing to pause.
      }
      await Promise.all(
        [...this.owned.values()].map(async (owned) => {
          const grace = setTimeout(() => owned.abort.abort(), this.options.closeGraceMs);
          try {
            await this.exclusive(owned, () => this.commit(owned, this.context(owned), 'close'));
          } catch (err) {
            this.report(err, `final commit p${owned.partition}`);
          } finally {
            clearTimeout(grace);
          }
          await this.release(owned.partition);
        }),
      );
      await this.consumer.stop().catch((err: unknown) => this.report(err, 'stopping consumer'));
      await this.consumer.disconnect().catch((err: unknown) => this.report(err, 'disconnecting consumer'));
      await this.admin.disconnect().catch((err: unknown) => this.report(err, 'disconnecting admin'));
    })();
    return this.closing;
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    if (!payload.isRunning() || payload.isStale() || this.closing) return;
    this.heartbeat = () => payload.heartbeat();
    this.batchesInFlight++;
    try {
      await this.handleBatch(payload);
    } finally {
      this.batchesInFlight--;
    }
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const owned = await this.own(batch.partition);
    let rebalancing: unknown;
    const ctx: BatchContext = {
      heartbeat: async () => {
        try {
          await payload.heartbeat();
        } catch (err) {
          if (isRebalanceInProgress(err)) rebalancing = err;
          throw err;
        }
      },
      signal: owned.abort.signal,
    };
    await this.exclusive(owned, async () => {
      if (owned.released || this.closing) return;
      const fresh = this.unseen(owned, batch.messages);
      if (fresh.length > 0) {
        await owned.handler.handle(fresh, ctx);
        owned.next = BigInt(fresh[fresh.length - 1]!.offset) + 1n;
      }
      if (batch.messages.length > 0) payload.resolveOffset(batch.lastOffset());
      const lag = Math.max(0, Number(batch.highWatermark) - Number(batch.lastOffset()) - 1);
      this.lag.set(batch.partition, lag);
      this.options.onBatch?.({ partition: batch.partition, records: fresh.length, lag });
      if (
        rebalancing === undefined &&
        this.options.now() - owned.lastCommit >= this.options.commitIntervalMs
      ) {
        await this.commit(owned, ctx, 'batch').catch((err: unknown) =>
          this.report(err, `checkpoint p${batch.partition}`),
        );
      }
    });
    try {
      if (rebalancing === undefined) await payload.heartbeat();
    } catch (err) {
      if (!isRebalanceInProgress(err)) throw err;
      rebalancing = err;
    }
    if (rebalancing !== undefined) {
      // Commit while the group still waits for us, then rethrow kafkajs' own error: that is what makes it rejoin.
      await this.revokeAll();
      throw rebalancing;
    }
  }

  /** kafkajs resumes from the last commit after every rejoin; records the handler already has are skipped. */
  private unseen(owned: Owned, messages: readonly KafkaMessage[]): readonly KafkaMessage[] {
    const next = owned.next;
    if (next === undefined || messages.length === 0 || BigInt(messages[0]!.offset) >= next) return messages;
    return messages.filter((m) => BigInt(m.offset) >= next);
  }

  /**
   * Timer: checkpoints partitions whose interval elapsed (idle ones included) and, while idle, heartbeats to notice
   * a rebalance before kafkajs' fetch loop (which long-polls between heartbeats) does and rejoins.
   */
  private tick(): void {
    if (this.closing) return;
    // Only while no batch runs: a batch stuck without heartbeating must still cost the member its partitions.
    if (this.batchesInFlight === 0)
      this.heartbeat?.().catch((err: unknown) => {
        if (isRebalanceInProgress(err))
          this.revokeAll().catch((e: unknown) => this.report(e, 'commit on revoke'));
      });
    const now = this.options.now();
    for (const owned of this.owned.values()) {
      if (owned.timerQueued || owned.released || now - owned.lastCommit < this.options.commitIntervalMs)
        continue;
      owned.timerQueued = true;
      this.exclusive(owned, () => this.commit(owned, this.context(owned), 'interval'))
        .catch((err: unknown) => this.report(err, `checkpoint p${owned.partition}`))
        .finally(() => (owned.timerQueued = false));
    }
  }

  /** Checkpoints and commits every owned partition in parallel; one run at a time. */
  private revokeAll(): Promise<void> {
    this.revoking ??= Promise.all(
      [...this.owned.values()].map((owned) =>
        this.exclusive(owned, () => this.commit(owned, this.context(owned), 'revoke')).catch(
          (err: unknown) => {
            // A commit for a partition that already moved fails; the new owner replays idempotently.
            if (!isRebalanceInProgress(err) && !isIllegalGeneration(err))
              this.report(err, `commit on revoke p${owned.partition}`);
          },
        ),
      ),
    )
      .then(() => undefined)
      .finally(() => (this.revoking = undefined));
    return this.revoking;
  }

  /** Runs `fn` when no other handle/checkpoint of the partition is running. */
  private exclusive<T>(owned: Owned, fn: () => Promise<T>): Promise<T> {
    const run = owned.lock.then(fn);
    owned.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private context(owned: Owned): BatchContext {
    return { heartbeat: this.heartbeat ?? (async () => undefined), signal: owned.abort.signal };
  }

  /** Call with the partition's lock held. */
  private async commit(owned: Owned, ctx: BatchContext, reason: CommitReason): Promise<void> {
    if (owned.released) return;
    owned.lastCommit = this.options.now();
    const checkpoint = await owned.handler.checkpoint(ctx);
    if (!checkpoint || owned.released) return;
    const last = owned.committed;
    if (last && last.offset === checkpoint.offset && last.metadata === checkpoint.metadata) return;
    // No await between the released check above and kafkajs reading the generation for this request.
    await this.consumer.commitOffsets([
      {
        topic: this.options.topic,
        partition: owned.partition,
        offset: checkpoint.offset,
        metadata: checkpoint.metadata,
      },
    ]);
    owned.committed = checkpoint;
    this.options.onCommit?.({ partition: owned.partition, offset: checkpoint.offset, reason });
  }

  private own(partition: number): Promise<Owned> {
    const existing = this.owned.get(partition);
    if (existing) return Promise.resolve(existing);
    let opening = this.opening.get(partition);
    if (!opening) {
      opening = (async () => {
        const committed = await this.committedCheckpoint(partition);
        const handler = await this.heartbeating(
          this.options.factory.open(this.options.topic, partition, committed),
        );
        const owned: Owned = {
          partition,
          handler,
          lastCommit: this.options.now(),
          committed,
          next: committed === undefined ? undefined : BigInt(committed.offset),
          abort: new AbortController(),
          lock: Promise.resolve(),
          released: false,
          timerQueued: false,
        };
        this.owned.set(partition, owned);
        // A rejoin while the handler was opening may have taken the partition away.
        if (this.assigned !== undefined && !this.assigned.has(partition)) await this.release(partition);
        return owned;
      })().finally(() => this.opening.delete(partition));
      this.opening.set(partition, opening);
    }
    return opening;
  }

  /**
   * Keeps the membership alive until `work` settles. A handler opens inside a batch, where kafkajs' fetch loop
   * cannot heartbeat, and its factory may wait on a store that is down (restoring state): without this the member
   * is expelled, rejoins, opens again and is expelled again for as long as the store stays down. A failed beat
   * (a rebalance under way) is left to the rejoin that follows the batch.
   */
  private async heartbeating<T>(work: Promise<T>): Promise<T> {
    const beat = setInterval(() => {
      this.heartbeat?.().catch(() => undefined);
    }, HEARTBEAT_INTERVAL_MS);
    try {
      return await work;
    } finally {
      clearInterval(beat);
    }
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

  /** Marks the partition released at once (no commit for it from now on), then closes its handler in turn. */
  private async release(partition: number): Promise<void> {
    const owned = this.owned.get(partition);
    if (!owned) return;
    this.owned.delete(partition);
    this.lag.delete(partition);
    owned.released = true;
    owned.abort.abort();
    await owned.lock;
    await owned.handler.close().catch((err: unknown) => this.report(err, `closing handler p${partition}`));
  }

  private report(err: unknown, context: string): void {
    if (this.options.onError) this.options.onError(err, context);
  }
}
