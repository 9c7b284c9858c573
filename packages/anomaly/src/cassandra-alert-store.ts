// The durable alert store: Cassandra table `alerts`, partitioned by device, clustered by opening time and id.
import { errors, types, type Client } from 'cassandra-driver';
import { isAlertKind, type AlertEvent } from './alert-event';
import { compareAlerts, eventRank, type AlertQuery, type AlertStore } from './alert-store';
import { AlertStoreError } from './errors';

export const ALERTS_TABLE = 'alerts';

export const ALERTS_TABLE_CQL = `CREATE TABLE IF NOT EXISTS ${ALERTS_TABLE} (
  device_id text, opened_at timestamp, id text,
  metric text, kind text, state text, resolved_at timestamp, window_start timestamp,
  score double, value double, baseline_version text, updated_at timestamp,
  PRIMARY KEY ((device_id), opened_at, id)
) WITH CLUSTERING ORDER BY (opened_at ASC, id ASC)`;

export async function ensureAlertsTable(client: Client): Promise<void> {
  await client.execute(ALERTS_TABLE_CQL);
}

const UPSERT = `INSERT INTO ${ALERTS_TABLE} (device_id, opened_at, id, metric, kind, state, resolved_at, window_start,
  score, value, baseline_version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`;

const SELECT = `SELECT device_id, opened_at, id, metric, kind, state, resolved_at, window_start, score, value,
  baseline_version FROM ${ALERTS_TABLE} WHERE device_id = ? AND opened_at >= ? AND opened_at < ?`;

export interface CassandraAlertStoreOptions {
  client: Client;
  now?: () => number;
}

/**
 * The write timestamp is the event's rank (window start, resolved after open) in microseconds, so Cassandra
 * keeps the latest state of an alert whatever order replayed writes arrive in.
 */
export class CassandraAlertStore implements AlertStore {
  readonly name = 'cassandra';

  constructor(private readonly options: CassandraAlertStoreOptions) {}

  async upsert(events: readonly AlertEvent[]): Promise<void> {
    if (events.length === 0) return;
    const now = new Date((this.options.now ?? Date.now)());
    try {
      await Promise.all(
        events.map((e) =>
          this.options.client.execute(
            UPSERT,
            [
              e.deviceId,
              new Date(e.openedAt),
              e.id,
              e.metric,
              e.kind,
              e.state,
              e.resolvedAt === undefined ? undefined : new Date(e.resolvedAt),
              new Date(e.windowStart),
              e.score,
              e.value,
              e.baselineVersion,
              now,
              types.Long.fromNumber(eventRank(e) * 1_000),
            ],
            { prepare: true },
          ),
        ),
      );
    } catch (err) {
      throw new AlertStoreError('cassandra', err instanceof Error ? err.message : String(err), {
        retriable: true,
        cause: err,
      });
    }
  }

  async query(q: AlertQuery): Promise<AlertEvent[]> {
    if (q.deviceId === undefined)
      throw new AlertStoreError('cassandra', 'alerts are partitioned by device: deviceId is required', {
        retriable: false,
      });
    const out: AlertEvent[] = [];
    let rs: types.ResultSet;
    try {
      rs = await this.options.client.execute(SELECT, [q.deviceId, new Date(q.from), new Date(q.to)], {
        prepare: true,
        fetchSize: 1000,
      });
    } catch (err) {
      // The speed app creates the table when it first scores; a fresh deployment has none, and no alerts.
      if (isMissingTable(err)) return [];
      throw new AlertStoreError('cassandra', err instanceof Error ? err.message : String(err), {
        retriable: isTransient(err),
        cause: err,
      });
    }
    for (const row of rs.rows) {
      const kind: unknown = row['kind'];
      if (!isAlertKind(kind)) continue;
      const state = row['state'] === 'resolved' ? 'resolved' : 'open';
      if (q.state !== 'all' && q.state !== state) continue;
      const e: AlertEvent = {
        id: row['id'] as string,
        deviceId: row['device_id'] as string,
        metric: row['metric'] as string,
        kind,
        state,
        openedAt: (row['opened_at'] as Date).getTime(),
        windowStart: (row['window_start'] as Date).getTime(),
        score: row['score'] as number,
        value: row['value'] as number,
        baselineVersion: (row['baseline_version'] as string | null) ?? '',
      };
      const resolvedAt = row['resolved_at'] as Date | null;
      if (resolvedAt) e.resolvedAt = resolvedAt.getTime();
      out.push(e);
      if (q.limit !== undefined && out.length >= q.limit) break;
    }
    return out.sort(compareAlerts);
  }
}

function isMissingTable(err: unknown): boolean {
  return (
    err instanceof errors.ResponseError &&
    err.code === types.responseErrorCodes.invalid &&
    // Cassandra 4 says "unconfigured table alerts", Cassandra 5 "table alerts does not exist".
    /unconfigured table|does not exist/i.test(err.message)
  );
}

const TRANSIENT_CODES: ReadonlySet<number> = new Set([
  types.responseErrorCodes.unavailableException,
  types.responseErrorCodes.overloaded,
  types.responseErrorCodes.isBootstrapping,
  types.responseErrorCodes.readTimeout,
  types.responseErrorCodes.readFailure,
]);

/** An outage a retry can outlive (no host, a timeout, an overloaded node), as opposed to a bad query. */
function isTransient(err: unknown): boolean {
  return (
    err instanceof errors.NoHostAvailableError ||
    err instanceof errors.OperationTimedOutError ||
    (err instanceof errors.ResponseError && TRANSIENT_CODES.has(err.code))
  );
}
