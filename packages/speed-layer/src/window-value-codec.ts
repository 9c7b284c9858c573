// The Redis encoding of one window: a short comma-separated line whose first field is the count.
import type { Aggregate } from '@lambda-iot/core';

export interface StoredWindow {
  aggregate: Aggregate;
  final: boolean;
}

/**
 * `count,sum,min,max,sumSq,first,firstTs,last,lastTs,final` with JavaScript's shortest round-trip number
 * format, so decoding gives back the exact doubles. The count comes first so the write script can compare it
 * without parsing the rest.
 */
export function encodeWindowValue(agg: Aggregate, final: boolean): string {
  return `${agg.count},${agg.sum},${agg.min},${agg.max},${agg.sumSq},${agg.first},${agg.firstTs},${agg.last},${agg.lastTs},${final ? 1 : 0}`;
}

/** Undefined for anything that is not a complete encoding (a foreign or truncated value is skipped, not trusted). */
export function decodeWindowValue(text: string): StoredWindow | undefined {
  const parts = text.split(',');
  if (parts.length !== 10) return undefined;
  const n = parts.slice(0, 9).map(Number);
  if (n.some((x) => !Number.isFinite(x))) return undefined;
  const [count, sum, min, max, sumSq, first, firstTs, last, lastTs] = n as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return {
    aggregate: { count, sum, min, max, sumSq, first, firstTs, last, lastTs },
    final: parts[9] === '1',
  };
}
