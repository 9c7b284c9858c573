// One hour's 1-minute aggregates into a temp table: the dedup stage only for rows the archive cannot prove free of it.
import type { DuckDBConnection } from '@duckdb/node-api';
import { readArchiveClaims } from '@lambda-iot/archive';
import { MINUTE_MS } from '@lambda-iot/core';
import {
  dedupRowsSql,
  deleteDevicesSql,
  minuteAggregatesSql,
  orderedMinuteAggregatesSql,
  provenCopiesSql,
  rollupSql,
  suspectRowsSql,
  windowAggregatesSql,
  withoutCopiesSql,
} from './aggregate-sql';
import { proveHour, type HourProof } from './duplicate-free-proof';

/**
 * 'skipped': the archive's claims proved the files free of duplicates; 'partial': the dedup ran only over the
 * devices listed as unordered and the partitions without a proof; 'merged': as 'partial', where some suspect rows
 * shared windows with proven ones, and those repeating a proven reading's key were dropped; 'ran': the dedup
 * query ran over every row.
 */
export type DedupOutcome = 'skipped' | 'partial' | 'merged' | 'ran';

/** Beyond this many devices to dedup, the hour is mostly suspect: the whole-hour dedup is simpler and no slower. */
export const MAX_SPLIT_DEVICES = 2_000;

/**
 * A split hour: the dedup-free aggregate of the proven files, from which the windows of `suspectDevices` are then
 * deleted (`deleteDevicesSql`), and the rest's rows for the dedup (undefined when nothing is left).
 */
export interface SplitAggregatesSql {
  ordered: string;
  proven: readonly string[];
  suspectDevices: string[];
  /** A relation with the archive's columns (`suspectRowsSql`). */
  suspectRows: string | undefined;
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
    proven: proof.proven,
    suspectDevices: devices,
    suspectRows:
      devices.length === 0 && proof.unproven.length === 0
        ? undefined
        : suspectRowsSql(proof.proven, devices, proof.unproven),
  };
}

/**
 * Creates (or replaces) temp table `table` with the 1-minute aggregates (f/l struct form) of `files`, which
 * must not be empty. Reads the files' footers first; with a proof, the aggregate without dedup over the proven
 * files less the suspect devices' windows, and the dedup aggregate of the rest added to it (`addSuspectRows`).
 * Only a window with rows of two partitions in the first part could hide a duplicate there: then, as when the
 * rest cannot be added exactly, the dedup query runs over everything. All paths give the same result.
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
      if (split.suspectRows === undefined) return 'skipped';
      const added = await addSuspectRows(db, table, split, split.suspectRows);
      if (added !== undefined) return added;
    }
  }
  await db.run(`CREATE OR REPLACE TEMP TABLE ${table} AS ${minuteAggregatesSql(files)}`);
  return 'ran';
}

/**
 * Adds the dedup aggregate of the suspect rows to `table`. Windows of their own are appended ('partial'). Where
 * suspect rows share windows with proven ones (a bulk re-send of archived readings, in files proving nothing), the
 * suspect rows repeating a proven reading's key are dropped and the rest merged in ('merged'): a join that probes
 * the proven rows once, instead of a dedup of the whole hour. Undefined (nothing added) when a suspect copy is the
 * older one, whose value the dedup would keep instead.
 */
async function addSuspectRows(
  db: DuckDBConnection,
  table: string,
  split: SplitAggregatesSql,
  suspectRows: string,
): Promise<'partial' | 'merged' | undefined> {
  const rows = `${table}_rows`;
  const rest = `${table}_rest`;
  const copies = `${table}_copies`;
  try {
    await db.run(`CREATE OR REPLACE TEMP TABLE ${rows} AS ${dedupRowsSql(suspectRows)}`);
    // Checked on the rows, so the rest is aggregated once, whichever way it is added.
    const both = await db.runAndReadAll(
      `SELECT 1 FROM ${rows} r JOIN ${table} a ON a.device_id = r.device_id AND a.metric = r.metric
       AND a.window_start = r.ts - r.ts % ${MINUTE_MS} LIMIT 1`,
    );
    if (both.currentRowCount === 0) {
      await db.run(
        `INSERT INTO ${table} SELECT *, 0 AS partition_spread FROM (${windowAggregatesSql(rows)})`,
      );
      return 'partial';
    }
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${copies} AS ${provenCopiesSql(rows, split.proven, split.suspectDevices)}`,
    );
    const older = await db.runAndReadAll(`SELECT 1 FROM ${copies} WHERE src < proven_src LIMIT 1`);
    if (older.currentRowCount > 0) return undefined;
    await db.run(
      `CREATE OR REPLACE TEMP TABLE ${rest} AS ${windowAggregatesSql(withoutCopiesSql(rows, copies))}`,
    );
    const merged = rollupSql(
      `(SELECT * EXCLUDE (partition_spread) FROM ${table} UNION ALL BY NAME SELECT * FROM ${rest})`,
      MINUTE_MS,
    );
    await db.run(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT *, 0 AS partition_spread FROM (${merged})`);
    return 'merged';
  } finally {
    for (const t of [rows, rest, copies]) await db.run(`DROP TABLE IF EXISTS ${t}`);
  }
}
