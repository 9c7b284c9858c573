// Which of an hour's archive rows provably hold no two readings of one series with the same event time.
import { basename } from 'node:path';
import { parseArchiveFileName, type ClaimedFile } from '@lambda-iot/archive';

export interface HourProof {
  /**
   * Files of partitions whose claims cover them: within such a partition, no (device_id, metric, ts) of a series
   * outside `unordered` occurs twice.
   */
  proven: string[];
  /** Files proving nothing (no claim reaching back to the partition's first file, overlaps, unknown names). */
  unproven: string[];
  /** The union of the proven partitions' latest claims' unordered series, sorted. */
  unordered: Array<[string, string]>;
}

/**
 * Splits an hour's files by partition. A partition is proven when its files have disjoint offset ranges (no
 * merged file beside its sources) and the claim of its latest file starts at or before its first file: every row
 * of the partition in this hour then lies in that claim's range, where each series not listed as unordered
 * strictly increases in ts. Duplicates across partitions are not covered here: the caller checks that no window
 * holds rows of two partitions in its dedup-free part, or rows of both parts.
 */
export function proveHour(files: readonly ClaimedFile[]): HourProof {
  const byPartition = new Map<number, Array<{ first: number; last: number } & ClaimedFile>>();
  const unproven: string[] = [];
  for (const f of files) {
    const name = parseArchiveFileName(basename(f.path));
    if (name === undefined) {
      unproven.push(f.path);
      continue;
    }
    let list = byPartition.get(name.partition);
    if (list === undefined) byPartition.set(name.partition, (list = []));
    list.push({ ...f, first: name.firstOffset, last: name.lastOffset });
  }
  const proven: string[] = [];
  const unordered = new Map<string, [string, string]>();
  for (const list of byPartition.values()) {
    list.sort((a, b) => a.first - b.first);
    let disjoint = true;
    for (let i = 1; i < list.length; i++) {
      if ((list[i] as { first: number }).first <= (list[i - 1] as { last: number }).last) disjoint = false;
    }
    const latest = list[list.length - 1] as ClaimedFile;
    const first = (list[0] as { first: number }).first;
    if (!disjoint || latest.orderedSince === undefined || latest.orderedSince > first) {
      unproven.push(...list.map((f) => f.path));
      continue;
    }
    proven.push(...list.map((f) => f.path));
    for (const [d, m] of latest.unordered ?? []) unordered.set(JSON.stringify([d, m]), [d, m]);
  }
  return {
    proven,
    unproven,
    unordered: [...unordered.keys()].sort().map((k) => unordered.get(k) as [string, string]),
  };
}

/** True when the whole hour needs no dedup: every partition proven and no series listed as unordered. */
export function provesNoDuplicates(files: readonly ClaimedFile[]): boolean {
  const proof = proveHour(files);
  return proof.unproven.length === 0 && proof.unordered.length === 0;
}
