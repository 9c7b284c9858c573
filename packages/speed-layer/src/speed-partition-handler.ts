// The speed layer's per-partition handler: windows the readings, writes them to every sink, and says what is safe to commit.
//
// Why a crash can neither lose nor double-count a reading (exactly once in effect):
//
// 1. Sinks only ever receive whole aggregates (overwrites), so writing a window again is harmless.
// 2. A checkpoint is taken atomically (one synchronous drain of the engine): the dirty windows, the committable
//    offset C = min(lowest offset of any open window, last processed offset + 1), and the watermark W. The
//    runner commits C with metadata {"v":1,"wm":W,"end":…} only after every window drained so far (the
//    just-closed ones as final, the changed open ones) was written to EVERY sink, hot and durable.
//    Hot sinks (Redis) also get early results on every flush interval; durable sinks (Cassandra) are written
//    at checkpoints and on a slower interval, with each window's latest state once (PendingWrites), which is
//    what keeps their load low.
// 3. On assignment the handler resumes at C with watermark W. Each window falls in one of two cases:
//    - Closed at checkpoint time (start + 1 min + lateness ≤ W): its final value is already in the sinks. On
//      replay the restored W still closes it, so its replayed readings are "late-replays": not applied, not
//      emitted. A partial rebuild can therefore never overwrite a final window.
//    - Open at checkpoint time: by the choice of C, every reading it ever received is at an offset ≥ C, so
//      the replay sees all of them. The restored watermark is W until the replay passes the last processed
//      offset (no reading before that point raised it above W), and from there on it evolves exactly as in the
//      first run, so every reading is judged open/late as it was, and the window is rebuilt exactly, dedup
//      included. Windows first seen after C are the same as in an uninterrupted run.
// 4. Readings refused by validation are judged at the record's Kafka timestamp, so a replay decides the same;
//    their dead letters are published before `handle` returns, hence before any commit past them.
// The property test "resuming from a checkpoint … gives exactly the uninterrupted result" checks 2-3.
import type { KafkaMessage, Message } from 'kafkajs';
import {
  backoffDelay,
  retry,
  sleep,
  systemClock,
  type BackoffPolicy,
  type Clock,
  type ValidationLimits,
} from '@lambda-iot/core';
import type { BatchContext, Checkpoint, PartitionHandler } from '@lambda-iot/kafka';
import { silentLogger, type Logger } from '@lambda-iot/runtime';
import { SpeedLayerError } from './errors';
import { encodeCheckpointMetadata, type PartitionCheckpoint } from './partition-checkpoint';
import { decodeRecord } from './record-decoder';
import type { RecordCounts, SpeedObserver } from './speed-observer';
import { PendingWrites } from './pending-writes';
import { WindowEngine, type ReadingOutcome, type WindowEngineOptions } from './window-engine';
import type { WindowSink } from './window-sink';

export const DEFAULT_FLUSH_INTERVAL_MS = 500;
export const DEFAULT_DURABLE_FLUSH_INTERVAL_MS = 5_000;
export const DEFAULT_MAX_UNWRITTEN_WINDOWS = 100_000;

/** Sink retries back off up to 5 s: long enough to spare a recovering store, short enough to notice it is back. */
export const SINK_BACKOFF: Readonly<BackoffPolicy> = Object.freeze({
  initialMs: 100,
  maxMs: 5_000,
  factor: 2,
  jitter: 0.2,
});

/** Publishes dead letters; resolves once the DLQ topic acknowledged them. */
export type DeadLetterPublisher = (messages: Message[]) => Promise<void>;

export interface SpeedHandlerOptions {
  /** Written on every flush interval with the changed open windows (freshness) and the closed ones: Redis. */
  hotSinks: readonly WindowSink[];
  /** Written at every checkpoint and every durable flush interval, each changed window once, latest state: Cassandra. */
  durableSinks: readonly WindowSink[];
  deadLetters: DeadLetterPublisher;
  engine?: WindowEngineOptions;
  /** How often changed open windows are written to the hot sinks as early results. Default 500 ms. */
  flushIntervalMs?: number;
  /**
   * How often the durable sinks are written between checkpoints. The runner now also checkpoints idle partitions on
   * its commit timer, so this only matters when it is shorter than the commit interval. Default 5 s.
   */
  durableFlushIntervalMs?: number;
  /** Closed windows waiting for any one sink beyond which `handle` blocks (memory bound while a sink is down). */
  maxUnwrittenWindows?: number;
  /** Write attempts a checkpoint makes before giving up until the next one. Default 3. */
  checkpointAttempts?: number;
  backoff?: BackoffPolicy;
  /** Validation limits other than the clock (the record's Kafka timestamp is the clock). */
  validation?: Partial<Omit<ValidationLimits, 'now'>>;
  observer?: SpeedObserver;
  logger?: Logger;
  clock?: Clock;
}

/** One partition's state, for the status hash and metrics. */
export interface PartitionStats {
  partition: number;
  watermark: number;
  openWindows: number;
  unwrittenWindows: number;
  applied: number;
  late: number;
  duplicates: number;
  replayed: number;
  invalid: number;
}

const OUTCOME_COUNTER: Readonly<Record<ReadingOutcome, 'applied' | 'duplicates' | 'late' | 'replayed'>> = {
  applied: 'applied',
  duplicate: 'duplicates',
  late: 'late',
  replayed: 'replayed',
};

interface SinkSlot {
  sink: WindowSink;
  hot: boolean;
  pending: PendingWrites;
}

export class SpeedPartitionHandler implements PartitionHandler {
  private readonly engine: WindowEngine;
  private readonly slots: SinkSlot[];
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private chain: Promise<unknown> = Promise.resolve();
  private flushesQueued = 0;
  private lastDurableFlush: number;
  private invalid = 0;
  /** Set when dead letters could not be published: nothing may be committed past them any more. */
  private unpublishedDeadLetters = false;
  private closed = false;
  private readonly followed = new WeakSet<AbortSignal>();
  private readonly logger: Logger;

  constructor(
    readonly topic: string,
    readonly partition: number,
    resume: PartitionCheckpoint | undefined,
    private readonly options: SpeedHandlerOptions,
  ) {
    this.engine = new WindowEngine(options.engine, resume);
    this.slots = [
      ...options.hotSinks.map((sink) => ({ sink, hot: true, pending: new PendingWrites() })),
      ...options.durableSinks.map((sink) => ({ sink, hot: false, pending: new PendingWrites() })),
    ];
    this.logger = (options.logger ?? silentLogger).child({ partition });
    this.lastDurableFlush = performance.now();
    this.timer = setInterval(
      () => this.flushInBackground(),
      options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    );
    this.timer.unref();
  }

  async handle(records: readonly KafkaMessage[], ctx: BatchContext): Promise<void> {
    if (this.closed) return;
    this.follow(ctx.signal);
    const now = (this.options.clock ?? systemClock).now();
    const counts: RecordCounts = {
      records: records.length,
      readings: 0,
      applied: 0,
      duplicates: 0,
      late: 0,
      replayed: 0,
      invalid: 0,
    };
    const letters: Message[] = [];
    for (const record of records) {
      const offset = Number(record.offset);
      const decoded = decodeRecord(
        record,
        `${this.topic}/${this.partition}@${record.offset}`,
        this.options.validation ?? {},
        now,
      );
      for (const reading of decoded.validation.readings)
        counts[OUTCOME_COUNTER[this.engine.add(offset, reading)]]++;
      counts.readings += decoded.validation.readings.length;
      if (decoded.deadLetter) {
        letters.push(decoded.deadLetter);
        counts.invalid += decoded.invalid;
      }
      this.engine.markProcessed(offset);
    }
    this.invalid += counts.invalid;
    this.options.observer?.onRecords?.(this.partition, counts);
    if (letters.length > 0) await this.publishDeadLetters(letters, ctx);
    await this.waitForSinks(ctx);
  }

  async checkpoint(_ctx: BatchContext): Promise<Checkpoint | undefined> {
    if (this.unpublishedDeadLetters) {
      throw new SpeedLayerError(
        `p${this.partition}: dead letters were not published; not committing past them`,
      );
    }
    const cp = await this.flush('all', this.options.checkpointAttempts ?? 3);
    return cp === undefined
      ? undefined
      : { offset: String(cp.offset), metadata: encodeCheckpointMetadata(cp) };
  }

  /** Stops the early-result timer and gives up retries; an in-flight write is awaited, not abandoned midway. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.abort.abort();
    await this.chain.catch(() => undefined);
  }

  stats(): PartitionStats {
    return {
      partition: this.partition,
      watermark: this.engine.currentWatermark,
      openWindows: this.engine.openWindows,
      unwrittenWindows: this.unwrittenWindows(),
      applied: this.engine.counters.applied,
      late: this.engine.counters.late,
      duplicates: this.engine.counters.duplicates,
      replayed: this.engine.counters.replayed,
      invalid: this.invalid,
    };
  }

  /**
   * Drains the engine into every sink's pending writes, then writes the hot sinks ('hot') or all of them
   * ('all'), in order with other flushes. 'all' resolves to the checkpoint that is now safe: everything drained
   * up to it is in every sink. A failed sink keeps its pending writes for the next flush; the others proceed.
   */
  private flush(mode: 'hot' | 'all', maxAttempts: number): Promise<PartitionCheckpoint | undefined> {
    this.flushesQueued++;
    const run = this.chain.then(() => this.flushNow(mode, maxAttempts)).finally(() => this.flushesQueued--);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async flushNow(mode: 'hot' | 'all', maxAttempts: number): Promise<PartitionCheckpoint | undefined> {
    const { updates, checkpoint } = this.engine.drain();
    for (const slot of this.slots) slot.pending.add(updates);
    const targets = mode === 'all' ? this.slots : this.slots.filter((slot) => slot.hot);
    const results = await Promise.allSettled(targets.map((slot) => this.writeSlot(slot, maxAttempts)));
    for (const result of results) if (result.status === 'rejected') throw result.reason;
    return mode === 'all' ? checkpoint : undefined;
  }

  private async writeSlot(slot: SinkSlot, maxAttempts: number): Promise<void> {
    const batch = slot.pending.take();
    if (batch.length === 0) return;
    await retry(
      async () => {
        const started = performance.now();
        let ok = false;
        try {
          await slot.sink.write(batch);
          ok = true;
        } finally {
          this.options.observer?.onSinkWrite?.(
            slot.sink.name,
            batch.length,
            (performance.now() - started) / 1_000,
            ok,
          );
        }
      },
      {
        maxAttempts,
        policy: this.options.backoff ?? SINK_BACKOFF,
        signal: this.abort.signal,
        onRetry: (err, attempt, delayMs) =>
          this.logger.warn({ err, attempt, delayMs, sink: slot.sink.name }, 'sink write failed; retrying'),
      },
    );
    slot.pending.confirm(batch);
  }

  /** Closed windows some sink does not have yet: not drained from the engine, or pending for a sink. */
  private unwrittenWindows(): number {
    let most = 0;
    for (const slot of this.slots) most = Math.max(most, slot.pending.finalCount);
    return this.engine.closedUndrained + most;
  }

  private flushInBackground(): void {
    if (this.closed || this.flushesQueued > 0) return;
    const now = performance.now();
    const durable =
      now - this.lastDurableFlush >=
      (this.options.durableFlushIntervalMs ?? DEFAULT_DURABLE_FLUSH_INTERVAL_MS);
    if (durable) this.lastDurableFlush = now;
    this.flush(durable ? 'all' : 'hot', 1).catch((err: unknown) => this.report(err, 'background flush'));
  }

  /** Blocks intake while too many closed windows wait for a sink, heartbeating so the group keeps the member. */
  private async waitForSinks(ctx: BatchContext): Promise<void> {
    const max = this.options.maxUnwrittenWindows ?? DEFAULT_MAX_UNWRITTEN_WINDOWS;
    let failures = 0;
    while (this.unwrittenWindows() > max && !this.abort.signal.aborted) {
      try {
        await ctx.heartbeat();
      } catch (err) {
        // Usually a rebalance: return so kafkajs can rejoin; nothing past the unwritten windows is committed.
        this.report(err, 'heartbeat while waiting for sinks');
        return;
      }
      try {
        await this.flush('all', 1);
        failures = 0;
      } catch (err) {
        failures++;
        this.report(err, 'flush while waiting for sinks');
        await sleep(backoffDelay(this.options.backoff ?? SINK_BACKOFF, failures), this.abort.signal).catch(
          () => undefined,
        );
      }
    }
  }

  private async publishDeadLetters(letters: Message[], ctx: BatchContext): Promise<void> {
    try {
      await retry(
        async () => {
          await ctx.heartbeat().catch(() => undefined);
          await this.options.deadLetters(letters);
        },
        {
          maxAttempts: Number.POSITIVE_INFINITY,
          shouldRetry: () => true,
          policy: this.options.backoff ?? SINK_BACKOFF,
          signal: this.abort.signal,
          onRetry: (err) => this.report(err, 'publishing dead letters'),
        },
      );
    } catch (err) {
      this.unpublishedDeadLetters = true;
      this.report(err, 'publishing dead letters (gave up)');
    }
  }

  /** The runner's signal (revocation, shutdown) also stops this handler's retries; followed once per signal. */
  private follow(signal: AbortSignal): void {
    if (this.followed.has(signal)) return;
    this.followed.add(signal);
    if (signal.aborted) this.abort.abort();
    else signal.addEventListener('abort', () => this.abort.abort(), { once: true });
  }

  private report(err: unknown, context: string): void {
    this.logger.warn({ err, context }, 'speed partition handler problem');
    this.options.observer?.onError?.(err, `p${this.partition}: ${context}`);
  }
}
