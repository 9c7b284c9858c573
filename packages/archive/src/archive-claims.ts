// Reading the order claims (`ORDERED_SINCE_KEY`, `UNORDERED_SERIES_KEY`) back from archive files' Parquet footers.
import type { DuckDBConnection } from '@duckdb/node-api';
import { ORDERED_SINCE_KEY, UNORDERED_SERIES_KEY } from './hour-order-tracker';
import { fileListSql, sqlString } from './parquet-readings-writer';

/** An archive file with its claim; `orderedSince` undefined when the file claims nothing (or a malformed claim). */
export interface ClaimedFile {
  path: string;
  orderedSince: number | undefined;
  /** `[device_id, metric]` pairs the claim excludes; empty when the file lists none. */
  unordered?: ReadonlyArray<readonly [string, string]>;
}

/** Each file's claim: `ORDERED_SINCE_KEY` and `UNORDERED_SERIES_KEY` values, one row per file and key present. */
export function archiveClaimsSql(files: readonly string[]): string {
  return `SELECT file_name, decode(key) AS key, decode(value) AS value
FROM parquet_kv_metadata(${fileListSql(files)})
WHERE key IN (${sqlString(ORDERED_SINCE_KEY)}::BLOB, ${sqlString(UNORDERED_SERIES_KEY)}::BLOB)`;
}

/** The files' claims from their footers (only the footers are read), in the order given. */
export async function readArchiveClaims(
  db: DuckDBConnection,
  files: readonly string[],
): Promise<ClaimedFile[]> {
  if (files.length === 0) return [];
  const values = new Map<string, Map<string, string>>();
  for (const [file, key, value] of (await db.runAndReadAll(archiveClaimsSql(files))).getRows()) {
    let m = values.get(String(file));
    if (m === undefined) values.set(String(file), (m = new Map()));
    m.set(String(key), String(value));
  }
  return files.map((path) => {
    const m = values.get(path);
    const raw = m?.get(ORDERED_SINCE_KEY);
    const since = Number(raw);
    const unordered = parseSeries(m?.get(UNORDERED_SERIES_KEY) ?? '[]');
    if (raw === undefined || !Number.isSafeInteger(since) || since < 0 || !unordered)
      return { path, orderedSince: undefined };
    return { path, orderedSince: since, unordered };
  });
}

function parseSeries(json: string): Array<[string, string]> | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    if (!Array.isArray(parsed)) return undefined;
    const out: Array<[string, string]> = [];
    for (const p of parsed) {
      if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || typeof p[1] !== 'string')
        return undefined;
      out.push([p[0], p[1]]);
    }
    return out;
  } catch {
    return undefined;
  }
}
