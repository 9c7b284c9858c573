// The transport-independent heart of the gateway: validate envelope parts, publish the valid readings, dead-letter the rest.
import type { Message } from 'kafkajs';
import {
  CONTENT_TYPE_HEADER,
  JSON_CONTENT_TYPE,
  decodeEnvelope,
  encodeEnvelope,
  validateEnvelope,
  validationLimitsAt,
  type Clock,
  type EnvelopeValidation,
  type Rejection,
  type RejectionReason,
  type ValidationLimits,
} from '@lambda-iot/core';
import { DLQ_HEADERS, deadLetterMessage, type DeadLetterSource } from '@lambda-iot/kafka';
import type { GatewayMetrics } from './gateway-metrics';
import type { PublishBatch } from './readings-publisher';
import type { EnvelopePart } from './request-body';

export interface IngestRejection {
  /** Position of the envelope in the request (0 for a single envelope). */
  envelope: number;
  /** Position of the reading in its envelope, -1 when the envelope was refused as a whole. */
  index: number;
  reason: RejectionReason;
  message: string;
}

export interface IngestOutcome {
  accepted: number;
  rejected: IngestRejection[];
}

export interface ReadingIngestOptions {
  publish: (batch: PublishBatch) => Promise<void>;
  clock: Clock;
  metrics?: GatewayMetrics;
  /** Overrides of core's validation limits (the clock supplies `now`). */
  limits?: Partial<Omit<ValidationLimits, 'now'>>;
}

const READING_HEADERS = { [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE };
const MAX_DETAIL_REJECTIONS = 10;

export class ReadingIngest {
  constructor(private readonly options: ReadingIngestOptions) {}

  /**
   * Validates every part against `deviceId` (the authenticated device, or the device of the MQTT topic),
   * then writes valid readings (one envelope message per part, keyed by device) and one dead letter per part
   * with any refusal, in a single Kafka write. Resolves after Kafka acknowledged it.
   */
  async ingest(
    parts: readonly EnvelopePart[],
    deviceId: string,
    source: DeadLetterSource,
  ): Promise<IngestOutcome> {
    const now = this.options.clock.now();
    const limits = validationLimitsAt(now, this.options.limits);
    const outcome: IngestOutcome = { accepted: 0, rejected: [] };
    const batch: PublishBatch = { readings: [], deadLetters: [] };
    parts.forEach((part, envelope) => {
      const result = validatePart(part, limits, deviceId);
      if (result.readings.length > 0) {
        outcome.accepted += result.readings.length;
        batch.readings.push({
          key: deviceId,
          value: encodeEnvelope({ deviceId, readings: result.readings }),
          headers: READING_HEADERS,
        });
      }
      if (result.rejections.length > 0) {
        for (const r of result.rejections) outcome.rejected.push({ envelope, ...r });
        batch.deadLetters.push(this.deadLetter(part.original, result.rejections, source, deviceId, now));
      }
    });
    await this.options.publish(batch);
    this.count(outcome, source, batch.deadLetters);
    return outcome;
  }

  /** Dead-letters input refused before validation (unauthorised, oversized) with its original bytes. */
  async refuseWhole(
    original: Buffer,
    reason: RejectionReason,
    message: string,
    source: DeadLetterSource,
    key?: string,
  ): Promise<void> {
    const now = this.options.clock.now();
    const letter = this.deadLetter(original, [{ index: -1, reason, message }], source, key, now);
    await this.options.publish({ readings: [], deadLetters: [letter] });
    this.options.metrics?.rejected.inc({ source, reason });
    this.options.metrics?.deadLetters.inc({ source, reason });
  }

  private deadLetter(
    original: Buffer,
    rejections: readonly Rejection[],
    source: DeadLetterSource,
    key: string | undefined,
    at: number,
  ): Message {
    const first = rejections[0] as Rejection;
    const shown = rejections
      .slice(0, MAX_DETAIL_REJECTIONS)
      .map((r) => (r.index < 0 ? r.message : `[${r.index}] ${r.message}`));
    const more =
      rejections.length > MAX_DETAIL_REJECTIONS
        ? ` (+${rejections.length - MAX_DETAIL_REJECTIONS} more)`
        : '';
    // The reason header is the first refusal's; the detail lists them, so a mixed envelope stays explainable.
    return deadLetterMessage({
      original,
      reason: first.reason,
      detail: shown.join('; ') + more,
      source,
      key: key ?? null,
      at,
    });
  }

  private count(outcome: IngestOutcome, source: DeadLetterSource, deadLetters: readonly Message[]): void {
    const m = this.options.metrics;
    if (!m) return;
    if (outcome.accepted > 0) m.accepted.inc({ source }, outcome.accepted);
    for (const r of outcome.rejected) m.rejected.inc({ source, reason: r.reason });
    for (const d of deadLetters) {
      const reason = String((d.headers as Record<string, unknown>)[DLQ_HEADERS.reason]);
      m.deadLetters.inc({ source, reason });
    }
  }
}

function validatePart(part: EnvelopePart, limits: ValidationLimits, deviceId: string): EnvelopeValidation {
  if (part.unparseable !== undefined) {
    return {
      deviceId: undefined,
      readings: [],
      rejections: [
        {
          index: -1,
          reason: 'malformed_json',
          message: `body is not valid JSON: ${part.unparseable.slice(0, 120)}`,
        },
      ],
    };
  }
  if ('parsed' in part) return validateEnvelope(part.parsed, limits, deviceId);
  return decodeEnvelope(part.original, limits, deviceId);
}
