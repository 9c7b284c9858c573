// Turns one Kafka record of the readings topic into valid readings and, for anything refused, a dead letter.
import type { KafkaMessage, Message } from 'kafkajs';
import { judgeReadingsRecord, type EnvelopeValidation, type ValidationLimits } from '@lambda-iot/core';
import { deadLetterMessage } from '@lambda-iot/kafka';

export interface DecodedRecord {
  validation: EnvelopeValidation;
  /** Set when anything was refused: the original record for the dead-letter topic. */
  deadLetter: Message | undefined;
  /** Refused readings; a refused envelope counts as one. */
  invalid: number;
}

/**
 * Judges the record as the archiver does (`judgeReadingsRecord`: content type, key against deviceId, limits at its
 * Kafka timestamp), so the speed and batch views agree on what was accepted. A partly valid envelope has its valid
 * readings applied, and the whole original goes to the dead-letter topic with the refusals described, so nothing
 * is silently dropped.
 */
export function decodeRecord(
  record: KafkaMessage,
  origin: string,
  limits: Partial<Omit<ValidationLimits, 'now'>>,
  now: number,
): DecodedRecord {
  const key = record.key === null || record.key === undefined ? undefined : record.key.toString('utf8');
  const value = record.value ?? Buffer.alloc(0);
  const validation = judgeReadingsRecord(record, limits, now);
  if (validation.rejections.length === 0) return { validation, deadLetter: undefined, invalid: 0 };
  const first = validation.rejections[0] as EnvelopeValidation['rejections'][number];
  const refused = validation.rejections.length;
  const detail =
    first.index === -1
      ? first.message
      : `${refused} of ${refused + validation.readings.length} readings refused, the others were applied; ` +
        validation.rejections.map((r) => r.message).join('; ');
  const deadLetter = deadLetterMessage({
    original: Buffer.isBuffer(value) ? value : Buffer.from(value),
    reason: first.reason,
    detail,
    source: 'speed',
    key: validation.deviceId ?? key ?? null,
    origin,
    ...(record.headers ? { originalHeaders: record.headers } : {}),
    at: now,
  });
  return { validation, deadLetter, invalid: refused };
}
