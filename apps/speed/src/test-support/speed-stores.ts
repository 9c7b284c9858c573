// Reads back everything a test's speed layer wrote, from Redis and from Cassandra, in one comparable shape.
import type { Redis } from 'ioredis';
import type { Client } from 'cassandra-driver';
import { aggregatesEqual } from '@lambda-iot/core';
import { aggregateFromRow, decodeWindowValue } from '@lambda-iot/speed-layer';
import type { ExpectedWindow } from './reading-scenario';

export async function redisWindows(redis: Redis, keyPrefix: string): Promise<Map<string, ExpectedWindow>> {
  const out = new Map<string, ExpectedWindow>();
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${keyPrefix}speed:1m:*`, 'COUNT', 1_000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  for (const key of keys) {
    const [deviceId, metric] = key.slice(`${keyPrefix}speed:1m:`.length).split('|') as [string, string];
    for (const [field, value] of Object.entries(await redis.hgetall(key))) {
      const stored = decodeWindowValue(value);
      if (!stored) throw new Error(`undecodable window ${key} ${field}: ${value}`);
      out.set(`${deviceId}|${metric}|${field}`, { deviceId, metric, windowStart: Number(field), ...stored });
    }
  }
  return out;
}

export async function cassandraWindows(client: Client): Promise<Map<string, ExpectedWindow>> {
  const out = new Map<string, ExpectedWindow>();
  const rows = await client.execute('SELECT * FROM speed_1m', [], { prepare: true, fetchSize: 100_000 });
  for (const row of rows.rows) {
    const windowStart = (row.get('window_start') as Date).getTime();
    const deviceId = row.get('device_id') as string;
    const metric = row.get('metric') as string;
    out.set(`${deviceId}|${metric}|${windowStart}`, {
      deviceId,
      metric,
      windowStart,
      final: row.get('final') as boolean,
      aggregate: aggregateFromRow(row),
    });
  }
  return out;
}

/** Lists every difference (missing, extra, wrong aggregate, wrong final flag); empty means equal. */
export function diffWindows(
  expected: ReadonlyMap<string, ExpectedWindow>,
  actual: ReadonlyMap<string, ExpectedWindow>,
): string[] {
  const problems: string[] = [];
  for (const [id, e] of expected) {
    const a = actual.get(id);
    if (!a) problems.push(`missing ${id}`);
    else if (!aggregatesEqual(e.aggregate, a.aggregate))
      problems.push(`${id}: expected ${JSON.stringify(e.aggregate)}, got ${JSON.stringify(a.aggregate)}`);
    else if (e.final !== a.final) problems.push(`${id}: expected final=${e.final}, got ${a.final}`);
  }
  for (const id of actual.keys()) if (!expected.has(id)) problems.push(`unexpected ${id}`);
  return problems.slice(0, 20);
}
