// After a crash, the offsets at which a partition must flush again so replays rewrite the same files.
import type { ArchiveFileName } from './archive-layout';

/**
 * Flush ends (inclusive last offsets) the handler of a partition must honour when it resumes at `committed`.
 * Files of the partition starting at or after `committed` were flushed by a run that crashed before
 * committing. Replaying must end flushes exactly at each such file's last offset, so the same names are
 * rewritten with identical content, and must also end a flush just before each file's first offset, in case
 * the crashed run flushed a range holding no valid reading (no file) before it: otherwise the replayed flush
 * would span into the next file's range and overlap it.
 */
export function planFlushEnds(committed: number, files: readonly ArchiveFileName[]): number[] {
  const ranges = new Map<number, number>();
  for (const f of files) {
    if (f.firstOffset < committed) continue;
    const known = ranges.get(f.firstOffset);
    // The same flush writes one file per hour, all with the same range; differing ends would be a bug upstream.
    if (known === undefined || f.lastOffset > known) ranges.set(f.firstOffset, f.lastOffset);
  }
  const ends: number[] = [];
  let cursor = committed;
  for (const [first, last] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (first < cursor) continue;
    if (first > cursor) ends.push(first - 1);
    ends.push(last);
    cursor = last + 1;
  }
  return ends;
}
