// Per-partition archiving: buffers decoded readings, flushes them to hour files by size and age, checkpoints.
import { join } from 'node:path';
import type { KafkaMessage, Message } from 'kafkajs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { hourStart, judgeReadingsRecord, type Rejection } from '@lambda-iot/core';
import {
  deadLetterMessage,
  type BatchContext,
  type Checkpoint,
  type PartitionHandler,
} from '@lambda-iot/kafka';
import { archiveFileName, readingsHourDir } from './archive-layout';
import { ArchiveError } from './errors';
import type { HourLedger } from './hour-ledger';
import { HourOrderTracker, type HourOrderHandover } from './hour-order-tracker';
import { ParquetReadingsWriter } from './parquet-readings-writer';
import { ReadingRows } from './reading-rows';

/** A record (or part of one) the archiver could not store, for metrics and the dead-letter path. */
export interface ArchiveRejection {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: KafkaMessage['headers'];
  rejections: readonly Rejection[];
}

/** Sends dead letters to the dead-letter topic; resolves once Kafka acknowledged them. */
export type DeadLetterPublisher = (messages: Message[]) => Promise<void>;

export interface FlushInfo {
  partition: number;
  firstOffset: number;
  lastOffset: number;
  readings: number;
  files: number;
  durationMs: number;
  reason: 'size' | 'age' | 'planned' | 'checkpoint';
}

export interface ArchivePartitionHandlerOptions {
  root: string;
  partition: number;
  /** Next offset to read as committed, or undefined for a partition never committed. */
  committedOffset: number | undefined;
  /** Flush ends that replays must honour (see `planFlushEnds`). */
  plannedEnds: readonly number[];
  /** The predecessor's hour runs to continue (see `readHourOrderHandovers`); none starts every run afresh. */
  handovers?: readonly HourOrderHandover[];
  connection: DuckDBConnection;
  ledger: Pick<HourLedger, 'recordFlush'>;
  /** Where refused records go (the original bytes and why); the partition commits nothing past an unsent one. */
  deadLetters: DeadLetterPublisher;
  /** Origin label of dead letters, `<topic>/<partition>@<offset>`. */
  topic?: string;
  maxReadings: number;
  maxAgeMs: number;
  now: () => number;
  onRejected?: (rejection: ArchiveRejection) => void;
  onFlush?: (info: FlushInfo) => void;
  onError?: (err: unknown, context: string) => void;
}

export class ArchivePartitionHandler implements PartitionHandler {
  private rows: ReadingRows;
  private firstOffset: number | undefined;
  private lastOffset = -1;
  private openedAt = 0;
  private nextOffset: number | undefined;
  private readonly planned: number[];
  private readonly writer: ParquetReadingsWriter;
  private readonly order = new HourOrderTracker();
  private letters: Message[] = [];
  private serial: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: ArchivePartitionHandlerOptions) {
    this.rows = new ReadingRows(options.partition);
    this.nextOffset = options.committedOffset;
    this.planned = [...options.plannedEnds];
    this.writer = new ParquetReadingsWriter(options.connection, `p${options.partition}`);
    for (const handover of options.handovers ?? []) this.order.resume(handover);
  }

  /** Flush ends still to honour from a crashed predecessor; exposed for tests and logs. */
  get pendingPlannedEnds(): readonly number[] {
    return this.planned;
  }

  handle(records: readonly KafkaMessage[], _ctx: BatchContext): Promise<void> {
    return this.exclusive(async () => {
      for (const record of records) {
        const offset = Number(record.offset);
        // kafkajs redelivers a batch whose handling failed: records already buffered or flushed are skipped.
        if (offset <= this.lastOffset || (this.nextOffset !== undefined && offset < this.nextOffset))
          continue;
        // A planned end that was never a record offset (the crashed run flushed up to just before a file), or
        // one before the first offset we see, which belongs to an older history of the partition.
        while (this.planned.length > 0 && (this.planned[0] as number) < offset) {
          if (this.firstOffset !== undefined) await this.flush('planned');
          this.planned.shift();
        }
        this.append(record, offset);
        if (this.planned[0] === offset) {
          await this.flush('planned');
          this.planned.shift();
        } else if (this.planned.length === 0 && this.rows.length >= this.options.maxReadings) {
          // Within a batch too, so a large fetch cannot grow the buffer (and the file) past the limit.
          await this.flush('size');
        }
      }
      this.armTimer();
      // A failure here fails the batch; the letters stay pending and the checkpoint refuses to commit past them.
      await this.publishDeadLetters();
    });
  }

  checkpoint(_ctx: BatchContext): Promise<Checkpoint | undefined> {
    return this.exclusive(async () => {
      await this.publishDeadLetters();
      if (this.planned.length === 0 && this.firstOffset !== undefined) await this.flush('checkpoint');
      if (this.nextOffset === undefined) return undefined;
      return { offset: String(this.nextOffset), metadata: null };
    });
  }

  close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    // Whatever is still buffered was not committed: the next owner replays it.
    return this.exclusive(async () => undefined);
  }

  private append(record: KafkaMessage, offset: number): void {
    if (this.firstOffset === undefined) {
      this.firstOffset = offset;
      this.openedAt = this.options.now();
    }
    this.lastOffset = offset;
    const ingestTs = Number(record.timestamp);
    // The speed layer's judgement exactly: a record one layer refuses is in neither view.
    const decoded = judgeReadingsRecord(record, {}, this.options.now());
    for (const r of decoded.readings) {
      this.rows.push(r.deviceId, r.metric, r.ts, r.value, r.seq ?? null, offset, ingestTs);
      this.order.observe(hourStart(r.ts), r.deviceId, r.metric, r.ts, offset);
    }
    if (decoded.rejections.length > 0) this.reject(record, decoded.rejections);
  }

  private reject(record: KafkaMessage, rejections: readonly Rejection[]): void {
    const first = rejections[0];
    this.letters.push(
      deadLetterMessage({
        original: record.value ?? Buffer.alloc(0),
        reason: first?.reason ?? 'malformed_json',
        detail: rejections.map((r) => r.message).join('; '),
        source: 'archiver',
        key: record.key?.toString('utf8') ?? null,
        origin: `${this.options.topic ?? 'readings'}/${this.options.partition}@${record.offset}`,
        ...(record.headers ? { originalHeaders: record.headers } : {}),
        at: this.options.now(),
      }),
    );
    this.options.onRejected?.({
      partition: this.options.partition,
      offset: record.offset,
      key: record.key?.toString('utf8') ?? null,
      value: record.value,
      headers: record.headers,
      rejections,
    });
  }

  /** Writes the buffer as one file per event hour, all named by the buffer's offset range, then records it. */
  private async flush(reason: FlushInfo['reason']): Promise<void> {
    const first = this.firstOffset;
    if (first === undefined) return;
    const started = this.options.now();
    const rows = this.rows;
    const byHour = new Map<number, number[]>();
    let maxTs: number | undefined;
    for (let i = 0; i < rows.length; i++) {
      const ts = rows.ts[i] as number;
      if (maxTs === undefined || ts > maxTs) maxTs = ts;
      const h = hourStart(ts);
      let list = byHour.get(h);
      if (list === undefined) byHour.set(h, (list = []));
      list.push(i);
    }
    const name = archiveFileName({
      partition: this.options.partition,
      firstOffset: first,
      lastOffset: this.lastOffset,
    });
    for (const [h, indices] of [...byHour].sort((a, b) => a[0] - b[0])) {
      await this.writer.write(
        join(readingsHourDir(this.options.root, h), name),
        rows,
        indices,
        this.order.claim(h),
      );
    }
    await this.options.ledger.recordFlush({
      partition: this.options.partition,
      hours: [...byHour.keys()],
      maxTs,
    });
    this.options.onFlush?.({
      partition: this.options.partition,
      firstOffset: first,
      lastOffset: this.lastOffset,
      readings: rows.length,
      files: byHour.size,
      durationMs: this.options.now() - started,
      reason,
    });
    this.nextOffset = this.lastOffset + 1;
    this.firstOffset = undefined;
    this.rows = new ReadingRows(this.options.partition);
  }

  /** Sends pending dead letters; kept for the next attempt if Kafka refuses them. */
  private async publishDeadLetters(): Promise<void> {
    if (this.letters.length === 0) return;
    const letters = this.letters;
    try {
      await this.options.deadLetters(letters);
      if (this.letters === letters) this.letters = [];
    } catch (err) {
      throw new ArchiveError(
        `p${this.options.partition}: ${letters.length} dead letters not published: ${err instanceof Error ? err.message : String(err)}`,
        { code: 'archive_dead_letters', cause: err },
      );
    }
  }

  /** Idle partitions get no batches, so an age timer flushes what they buffered. */
  private armTimer(): void {
    if (this.closed || this.timer || this.firstOffset === undefined) return;
    const delay = Math.max(0, this.openedAt + this.options.maxAgeMs - this.options.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.exclusive(async () => {
        if (this.closed || this.planned.length > 0 || this.firstOffset === undefined) return;
        if (this.options.now() - this.openedAt >= this.options.maxAgeMs) await this.flush('age');
      })
        .catch((err: unknown) => {
          // Try again one age later rather than in a tight loop while the disk or Redis is failing.
          this.openedAt = this.options.now();
          this.options.onError?.(err, `age flush p${this.options.partition}`);
        })
        .finally(() => this.armTimer());
    }, delay);
    this.timer.unref();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }
}
