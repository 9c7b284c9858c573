// The state a partition commits beside its offset: the watermark, and where processing had got to.

/** What the speed layer needs to resume a partition exactly; see speed-partition-handler.ts for why. */
export interface PartitionCheckpoint {
  /** Next offset to consume: the lowest offset still needed by an open window, or the end of what was processed. */
  offset: number;
  /** Watermark when the checkpoint was taken; -Infinity before the first reading. */
  watermark: number;
  /** One past the last offset processed when the checkpoint was taken (≥ offset); replays below it are not news. */
  processedEnd: number;
}

interface Encoded {
  v: 1;
  wm: number | null;
  end: number;
}

export function encodeCheckpointMetadata(cp: PartitionCheckpoint): string {
  const encoded: Encoded = {
    v: 1,
    wm: Number.isFinite(cp.watermark) ? cp.watermark : null,
    end: cp.processedEnd,
  };
  return JSON.stringify(encoded);
}

/**
 * Reads the metadata committed with `offset`. Metadata that is absent or not ours (another tool committed
 * for the group) resumes with no watermark: every replayed reading is then applied, which is safe because
 * sink writes are whole-aggregate overwrites, and at worst re-emits windows that were already final.
 */
export function decodeCheckpointMetadata(offset: number, metadata: string | null): PartitionCheckpoint {
  const fresh: PartitionCheckpoint = { offset, watermark: Number.NEGATIVE_INFINITY, processedEnd: offset };
  if (metadata === null || metadata === '') return fresh;
  let parsed: unknown;
  try {
    parsed = JSON.parse(metadata);
  } catch {
    return fresh;
  }
  if (typeof parsed !== 'object' || parsed === null) return fresh;
  const { v, wm, end } = parsed as Partial<Record<keyof Encoded, unknown>>;
  if (v !== 1) return fresh;
  const watermark = typeof wm === 'number' && Number.isFinite(wm) ? wm : Number.NEGATIVE_INFINITY;
  const processedEnd = typeof end === 'number' && Number.isSafeInteger(end) && end >= offset ? end : offset;
  return { offset, watermark, processedEnd };
}
