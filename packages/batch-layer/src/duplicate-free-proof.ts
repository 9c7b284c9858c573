// Which of an hour's archive rows provably hold no two readings of one series with the same event time.
import { basename } from 'node:path';
import { parseArchiveFileName, type ClaimedFile } from '@lambda-iot/archive';

export interface HourProof {
  /**
   * Files whose partition's claims cover them: within such a partition's proven files, no (device_id, metric, ts)
   * of a series outside `unordered` occurs twice.
   */
  proven: string[];
  /**
   * Files proving nothing: a partition's files after its last claim reaching back to its first file (a re-send
   * written by another tool, a run that could not continue the claims), every file of a partition with no such
   * claim or with overlapping ranges, and unknown names.
   */
  unproven: string[];
  /** The union of the unordered series of the claims that prove the proven files, sorted. */
  unordered: Array<[string, string]>;
}

/**
 * Splits an hour's files by partition. Within a partition whose files have disjoint offset ranges (no merged file
 * beside its sources), the latest file whose claim starts at or before the partition's first file proves itself
 * and every file before it: their rows lie in that claim's range, where each series not listed as unordered
 * strictly increases in ts. Later files prove nothing. Duplicates across partitions, and between proven and
 * unproven files, are not covered here: the caller checks that no window holds rows of two partitions in its
 * dedup-free part, and drops unproven rows repeating a proven one's key.
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
    const first = (list[0] as { first: number }).first;
    let covering = -1;
    for (let i = list.length - 1; i >= 0 && disjoint; i--) {
      const since = (list[i] as ClaimedFile).orderedSince;
      if (since !== undefined && since <= first) {
        covering = i;
        break;
      }
    }
    unproven.push(...list.slice(covering + 1).map((f) => f.path));
    if (covering < 0) continue;
    proven.push(...list.slice(0, covering + 1).map((f) => f.path));
    for (const [d, m] of (list[covering] as ClaimedFile).unordered ?? [])
      unordered.set(JSON.stringify([d, m]), [d, m]);
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
