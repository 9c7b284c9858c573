// One hour's 1-minute aggregates into a temp table: the dedup stage only for rows the archive cannot prove free of it.
import type { DuckDBConnection } from '@duckdb/node-api';
import { readArchiveClaims } from '@lambda-iot/archive';
import {
  deleteDevicesSql,
  minuteAggregatesOfSql,
  minuteAggregatesSql,
  orderedMinuteAggregatesSql,
  suspectRowsSql,
} from './aggregate-sql';
import { proveHour, type HourProof } from './duplicate-free-proof';

/**
 * 'skipped': the archive's claims proved the files free of duplicates; 'partial': the dedup ran only over the
 * devices listed as unordered and the partitions without a proof; 'ran': the dedup query ran over every row.
 */
export type DedupOutcome = 'skipped' | 'partial' | 'ran';

/** Beyond this many devices to dedup, the hour is mostly suspect: the whole-hour dedup is simpler and no slower. */
export const MAX_SPLIT_DEVICES = 2_000;

/**
 * A split hour: the dedup-free aggregate of the proven files, from which the windows of `suspectDevices` are then
 * deleted (`deleteDevicesSql`), and the dedup aggregate of the rest (undefined when nothing is left).
 */
export interface SplitAggregatesSql {
  ordered: string;
  suspectDevices: string[];
  suspect: string | undefined;
}

/**
 * The split of an hour by its proof, or undefined when nothing is proven (or too little). Rows are split by
 * device (a function of the series, coarser than the claims' lists, so each series lies in one part), and
 * unproven partitions go whole to the dedup part.
 */
export function splitAggregatesSql(proof: HourProof): SplitAggregatesSql | undefined {
  const devices = [...new Set(proof.unordered.map(([d]) => d))].sort();
  if (proof.proven.length === 0 || devices.length > MAX_SPLIT_DEVICES) return undefined;
  return {
    ordered: orderedMinuteAggregatesSql(proof.proven),
    suspectDevices: devices,
    suspect:
      devices.length === 0 && proof.unproven.length === 0
        ? undefined
        : minuteAggregatesOfSql(suspectRowsSql(proof.proven, devices, proof.unproven)),
  };
}

/**
 * Creates (or replaces) temp table `table` with the 1-minute aggregates (f/l struct form) of `files`, which
 * must not be empty. Reads the files' footers first; with a proof, the aggregate without dedup over the proven
 * files less the suspect devices' windows, and the dedup aggregate over the rest, appended. Only a window with
 * rows of two partitions in the first part, or with rows in both parts, could count a duplicate twice: then the
 * dedup query runs over everything. All paths give the same result.
 */
export async function computeMinuteAggregates(
  db: DuckDBConnection,
  files: readonly string[],
  table: string,
): Promise<DedupOutcome> {
  const split = splitAggregatesSql(proveHour(await readArchiveClaims(db, files)));
  if (split !== undefined) {
    await db.run(`CREATE OR REPLACE TEMP TABLE ${table} AS ${split.ordered}`);
    if (split.suspectDevices.length > 0) await db.run(deleteDevicesSql(table, split.suspectDevices));
    const spread = await db.runAndReadAll(`SELECT 1 FROM ${table} WHERE partition_spread > 0 LIMIT 1`);
    if (spread.currentRowCount === 0) {
      if (split.suspect === undefined) return 'skipped';
      const rest = `${table}_suspect`;
      await db.run(`CREATE OR REPLACE TEMP TABLE ${rest} AS ${split.suspect}`);
      const both = await db.runAndReadAll(
        `SELECT 1 FROM ${rest} JOIN ${table} USING (device_id, metric, window_start) LIMIT 1`,
      );
      if (both.currentRowCount === 0) {
        await db.run(`INSERT INTO ${table} SELECT *, 0 AS partition_spread FROM ${rest}`);
        await db.run(`DROP TABLE ${rest}`);
        return 'partial';
      }
      await db.run(`DROP TABLE ${rest}`);
    }
  }
  await db.run(`CREATE OR REPLACE TEMP TABLE ${table} AS ${minuteAggregatesSql(files)}`);
  return 'ran';
}
