// Readings as devices that batch send them: one envelope per device per minute, keyed by device, in event-time order.
import {
  CONTENT_TYPE_HEADER,
  encodeEnvelope,
  JSON_CONTENT_TYPE,
  windowStart,
  type EnvelopeReading,
  type Reading,
} from '@lambda-iot/core';
import type { ScenarioMessage } from './reading-scenario';

export interface MinuteEnvelopes {
  messages: ScenarioMessage[];
  /** Newest event time sent to each partition. */
  newest: Map<number, number>;
}

/**
 * `readings` must come in event-time order. A minute's envelopes follow each other in the order of their devices'
 * first reading in it, so every partition sees its event time advance as the devices' clocks do: a device's
 * envelope never waits behind another that starts later in the minute. Devices go to partitions by a stable
 * hash of their id (FNV-1a), as a keyed producer would place them.
 */
export function minuteEnvelopes(readings: Iterable<Reading>, partitions: number): MinuteEnvelopes {
  const messages: ScenarioMessage[] = [];
  const newest = new Map<number, number>();
  let minute = Number.NEGATIVE_INFINITY;
  let open = new Map<string, EnvelopeReading[]>();
  const flush = (): void => {
    for (const [deviceId, batch] of open) {
      const partition = partitionOf(deviceId, partitions);
      messages.push({
        partition,
        message: {
          key: deviceId,
          headers: { [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE },
          value: encodeEnvelope({ deviceId, readings: batch }),
        },
      });
      newest.set(partition, Math.max(newest.get(partition) ?? Number.NEGATIVE_INFINITY, batch.at(-1)!.ts));
    }
    open = new Map();
  };
  for (const r of readings) {
    const w = windowStart(r.ts, '1m');
    if (w < minute) throw new RangeError(`readings must come in event-time order: ${r.ts} after ${minute}`);
    if (w !== minute) {
      flush();
      minute = w;
    }
    let batch = open.get(r.deviceId);
    if (!batch) open.set(r.deviceId, (batch = []));
    batch.push({ metric: r.metric, ts: r.ts, value: r.value });
  }
  flush();
  return { messages, newest };
}

function partitionOf(deviceId: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) h = Math.imul(h ^ deviceId.charCodeAt(i), 0x01000193);
  return (h >>> 0) % partitions;
}
