// Dead-letter records: the original bytes untouched, and why they were rejected in headers anyone can read.
import type { IHeaders, Message } from 'kafkajs';

export const DLQ_HEADERS = {
  reason: 'x-dlq-reason',
  detail: 'x-dlq-detail',
  source: 'x-dlq-source',
  time: 'x-dlq-time',
  origin: 'x-dlq-origin',
} as const;

export type DeadLetterSource = 'http' | 'mqtt' | 'kafka' | 'speed' | 'archiver';

export interface DeadLetter {
  /** The input exactly as received, so it can be inspected or replayed after a fix. */
  original: Buffer;
  /** A machine-readable reason code (see core's RejectionReason). */
  reason: string;
  /** Human-readable detail, for example the offending field and value. */
  detail?: string;
  source: DeadLetterSource;
  /** Kafka key to keep a device's dead letters together; usually the device id when known. */
  key?: string | null;
  /** Where the input came from, e.g. `readings/3@1042` for a record consumed from Kafka. */
  origin?: string;
  /** Headers of the original record, kept so nothing about the input is lost. */
  originalHeaders?: IHeaders;
  at: number;
}

const MAX_DETAIL = 1_000;

export function deadLetterMessage(letter: DeadLetter): Message {
  const headers: IHeaders = { ...(letter.originalHeaders ?? {}) };
  headers[DLQ_HEADERS.reason] = letter.reason;
  headers[DLQ_HEADERS.source] = letter.source;
  headers[DLQ_HEADERS.time] = new Date(letter.at).toISOString();
  if (letter.detail) headers[DLQ_HEADERS.detail] = letter.detail.slice(0, MAX_DETAIL);
  if (letter.origin) headers[DLQ_HEADERS.origin] = letter.origin;
  return { key: letter.key ?? null, value: letter.original, headers };
}

/** Reads a header as a string, whichever form kafkajs returned it in. */
export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined || value === null) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}
