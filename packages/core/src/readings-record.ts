// How one record of the readings topic is judged: the single rule the speed and batch layers share, so their views never disagree on what was accepted.
import { CONTENT_TYPE_HEADER, decodeEnvelope, isEnvelopeContentType } from './envelope-codec';
import { validationLimitsAt, type EnvelopeValidation, type ValidationLimits } from './validate-envelope';

type HeaderValue = Buffer | string | Array<Buffer | string> | undefined;

/** The parts of a Kafka record the judgement reads (kafkajs' `KafkaMessage` is one). */
export interface ReadingsRecord {
  key?: Buffer | string | null;
  value: Buffer | null;
  headers?: Readonly<Record<string, HeaderValue>>;
  /** The record's Kafka timestamp (ms since the epoch, as a decimal string). */
  timestamp: string;
}

/**
 * The record's valid readings and its refusals. Its content type must name an envelope; its key, when it has one,
 * must be the envelope's deviceId, since partition-local watermarks, windows and order claims rely on a device's
 * readings all being in one partition; and it is judged by the limits at its Kafka timestamp (`fallbackNow` only
 * when that is unusable), not at the wall clock, so a replay after a crash, or years later, judges it exactly as
 * the first pass did.
 */
export function judgeReadingsRecord(
  record: ReadingsRecord,
  limits: Partial<Omit<ValidationLimits, 'now'>>,
  fallbackNow: number,
): EnvelopeValidation {
  const header = record.headers?.[CONTENT_TYPE_HEADER];
  const contentType = Array.isArray(header) ? header[0] : header;
  if (!isEnvelopeContentType(contentType)) return refused(`unsupported content type ${String(contentType)}`);
  if (record.value === null) return refused('record has no value');
  const at = Number(record.timestamp);
  const key = record.key === null || record.key === undefined ? undefined : record.key.toString('utf8');
  return decodeEnvelope(
    record.value,
    validationLimitsAt(Number.isFinite(at) ? at : fallbackNow, limits),
    key,
  );
}

function refused(message: string): EnvelopeValidation {
  return {
    deviceId: undefined,
    readings: [],
    rejections: [{ index: -1, reason: 'malformed_json', message }],
  };
}
