// Reads the durable speed view from Cassandra: one prepared slice query per day of the range.
import { types, type Client } from 'cassandra-driver';
import { DAY_MS, dayStart, utcDay, type Aggregate, type Resolution } from '@lambda-iot/core';
import type { SeriesKey, SpeedView, WindowPoint } from '@lambda-iot/views';
import { cassandraError, SPEED_TABLE } from './cassandra-window-sink';
import { toResolution } from './window-points';

const SELECT_CQL =
  'SELECT window_start, count, sum, min, max, sum_sq, first, first_ts, last, last_ts ' +
  `FROM ${SPEED_TABLE} WHERE device_id = ? AND metric = ? AND day = ? AND window_start >= ? AND window_start < ?`;

export interface CassandraSpeedViewOptions {
  /** A client bound to the keyspace holding speed_1m. */
  client: Client;
  /** Day partitions queried at once for long ranges. Default 16. */
  concurrency?: number;
}

/** Rolls 1-minute rows up for '1h'/'1d' reads, like RedisSpeedView. */
export class CassandraSpeedView implements SpeedView {
  readonly source = 'speed' as const;

  constructor(private readonly options: CassandraSpeedViewOptions) {}

  async readSeries(key: SeriesKey, resolution: Resolution, from: number, to: number): Promise<WindowPoint[]> {
    if (to <= from) return [];
    const days: number[] = [];
    for (let d = dayStart(from); d < to; d += DAY_MS) days.push(d);
    const minutes: WindowPoint[] = [];
    const concurrency = this.options.concurrency ?? 16;
    for (let i = 0; i < days.length; i += concurrency) {
      const slices = await Promise.all(
        days.slice(i, i + concurrency).map((d) => this.readDay(key, d, from, to)),
      );
      for (const slice of slices) minutes.push(...slice);
    }
    return toResolution(minutes, resolution);
  }

  private async readDay(key: SeriesKey, day: number, from: number, to: number): Promise<WindowPoint[]> {
    const params = [
      key.deviceId,
      key.metric,
      types.LocalDate.fromString(utcDay(day)),
      new Date(Math.max(from, day)),
      new Date(Math.min(to, day + DAY_MS)),
    ];
    let rows: types.Row[];
    try {
      rows = (await this.options.client.execute(SELECT_CQL, params, { prepare: true })).rows;
    } catch (err) {
      throw cassandraError(err);
    }
    const points: WindowPoint[] = [];
    for (const row of rows) {
      const count = row.get('count') as number;
      if (!(count > 0)) continue;
      points.push({
        windowStart: (row.get('window_start') as Date).getTime(),
        aggregate: aggregateFromRow(row),
      });
    }
    return points;
  }
}

/** The aggregate stored in one `speed_1m` row (the table's column names are the sink's contract). */
export function aggregateFromRow(row: types.Row): Aggregate {
  return {
    count: row.get('count') as number,
    sum: row.get('sum') as number,
    min: row.get('min') as number,
    max: row.get('max') as number,
    sumSq: row.get('sum_sq') as number,
    first: row.get('first') as number,
    firstTs: (row.get('first_ts') as Date).getTime(),
    last: row.get('last') as number,
    lastTs: (row.get('last_ts') as Date).getTime(),
  };
}
