// The durable speed view: window rows in Cassandra's speed_1m table, written with prepared, bounded-concurrency inserts.
import { errors, types, type Client } from 'cassandra-driver';
import { utcDay } from '@lambda-iot/core';
import { SinkError } from './errors';
import type { WindowSink, WindowUpdate } from './window-sink';

export const SPEED_TABLE = 'speed_1m';
export const DEFAULT_CASSANDRA_CONCURRENCY = 64;

/**
 * One partition per series and UTC day (at most 1440 rows), clustered by window start so a range read is one
 * slice per day. `final` marks windows the watermark has closed. Created in the client's keyspace.
 */
export const SPEED_TABLE_CQL = `CREATE TABLE IF NOT EXISTS ${SPEED_TABLE} (
  device_id text, metric text, day date, window_start timestamp,
  count int, sum double, min double, max double, sum_sq double,
  first double, first_ts timestamp, last double, last_ts timestamp,
  final boolean, updated_at timestamp,
  PRIMARY KEY ((device_id, metric, day), window_start)
) WITH CLUSTERING ORDER BY (window_start ASC)`;

/**
 * The write timestamp is the window start in microseconds plus the count. Cassandra keeps the cell with the
 * highest write timestamp, so a stale owner's write of a smaller aggregate can never replace a larger one, in
 * whatever order the writes arrive (see WindowSink); equal counts carry equal aggregates.
 */
const INSERT_CQL =
  `INSERT INTO ${SPEED_TABLE} (device_id, metric, day, window_start, count, sum, min, max, sum_sq, ` +
  'first, first_ts, last, last_ts, final, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?';

export interface CassandraWindowSinkOptions {
  /** A client bound to the keyspace holding speed_1m. */
  client: Client;
  /** In-flight requests (single inserts or one-partition batches) at most. Default 64. */
  concurrency?: number;
  now?: () => number;
}

export async function ensureSpeedTable(client: Client): Promise<void> {
  await client.execute(SPEED_TABLE_CQL);
}

export class CassandraWindowSink implements WindowSink {
  readonly name = 'cassandra';

  constructor(private readonly options: CassandraWindowSinkOptions) {}

  async write(updates: readonly WindowUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const now = new Date((this.options.now ?? Date.now)());
    // Windows of one series and day share a Cassandra partition: one unlogged batch per partition is applied
    // as a single mutation, far cheaper for the node than one statement per window.
    const byPartition = new Map<string, unknown[][]>();
    for (const u of updates) {
      const day = utcDay(u.windowStart);
      const key = `${u.deviceId}|${u.metric}|${day}`;
      let rows = byPartition.get(key);
      if (rows === undefined) {
        rows = [];
        byPartition.set(key, rows);
      }
      rows.push(rowOf(u, day, now));
    }
    const groups = [...byPartition.values()];
    const client = this.options.client;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < groups.length) {
        const rows = groups[next++] as unknown[][];
        if (rows.length === 1) await client.execute(INSERT_CQL, rows[0], { prepare: true });
        else
          await client.batch(
            rows.map((params) => ({ query: INSERT_CQL, params })),
            { prepare: true, logged: false },
          );
      }
    };
    const concurrency = Math.min(groups.length, this.options.concurrency ?? DEFAULT_CASSANDRA_CONCURRENCY);
    try {
      await Promise.all(Array.from({ length: concurrency }, worker));
    } catch (err) {
      throw cassandraError(err);
    }
  }
}

function rowOf(u: WindowUpdate, day: string, now: Date): unknown[] {
  const a = u.aggregate;
  return [
    u.deviceId,
    u.metric,
    types.LocalDate.fromString(day),
    new Date(u.windowStart),
    a.count,
    a.sum,
    a.min,
    a.max,
    a.sumSq,
    a.first,
    new Date(a.firstTs),
    a.last,
    new Date(a.lastTs),
    u.final,
    now,
    types.Long.fromNumber(u.windowStart * 1_000 + a.count),
  ];
}

const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  types.responseErrorCodes.unavailableException,
  types.responseErrorCodes.overloaded,
  types.responseErrorCodes.isBootstrapping,
  types.responseErrorCodes.writeTimeout,
  types.responseErrorCodes.readTimeout,
  types.responseErrorCodes.writeFailure,
  types.responseErrorCodes.serverError,
]);

/** Unreachable or overloaded nodes are retriable; a statement Cassandra rejects is not. */
export function cassandraError(err: unknown): SinkError {
  const message = err instanceof Error ? err.message : String(err);
  const retriable =
    err instanceof errors.ResponseError
      ? TRANSIENT_CODES.has(err.code)
      : !(err instanceof errors.ArgumentError);
  return new SinkError('cassandra', message, { retriable, cause: err });
}
