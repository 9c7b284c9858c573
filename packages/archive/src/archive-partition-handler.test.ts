import type { KafkaMessage, Message } from 'kafkajs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDbScratch } from '@lambda-iot/testkit';
import { CONTENT_TYPE_HEADER, encodeEnvelope, HOUR_MS } from '@lambda-iot/core';
import { ArchivePartitionHandler } from './archive-partition-handler';
import { fileListSql } from './parquet-readings-writer';
import { listArchiveFiles } from './archive-files';

const H = Date.UTC(2026, 2, 3, 4);
const ctx = { heartbeat: async () => undefined, signal: new AbortController().signal };

function record(offset: number, key: string | null, value: Buffer | string, headers = {}): KafkaMessage {
  return {
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(value),
    timestamp: String(H),
    attributes: 0,
    offset: String(offset),
    headers,
  };
}

const envelope = (deviceId: string, value: number) =>
  encodeEnvelope({ deviceId, readings: [{ metric: 'm', ts: H + value, value }] });

describe('ArchivePartitionHandler refusals', () => {
  let scratch: DuckDbScratch;
  let db: DuckDBConnection;

  beforeEach(async () => {
    scratch = await DuckDbScratch.open('liot-archive-refusals-');
    db = scratch.db;
  });
  afterEach(() => scratch.close());

  it('archives only what the speed layer would accept; each refused record goes to the dead-letter topic with its reason', async () => {
    const letters: Message[] = [];
    const handler = new ArchivePartitionHandler({
      root: scratch.root,
      partition: 0,
      committedOffset: undefined,
      plannedEnds: [],
      connection: db,
      ledger: { recordFlush: async () => 0 },
      deadLetters: async (batch) => void letters.push(...batch),
      maxReadings: Number.MAX_SAFE_INTEGER,
      maxAgeMs: HOUR_MS,
      now: () => H,
    });
    await handler.handle(
      [
        record(0, 'd1', envelope('d1', 1)),
        // keyed by another device: it may sit in that device's partition, so no partition-local claim holds for it
        record(1, 'd2', envelope('d1', 2)),
        record(2, 'd1', envelope('d1', 3), { [CONTENT_TYPE_HEADER]: 'text/csv' }),
        record(3, 'd1', '{not json'),
        record(4, null, envelope('d3', 5)),
      ],
      ctx,
    );
    expect((await handler.checkpoint(ctx))?.offset).toBe('5');
    await handler.close();

    expect(letters.map((l) => [l.headers?.['x-dlq-reason'], l.headers?.['x-dlq-source']])).toEqual([
      ['device_mismatch', 'archiver'],
      ['malformed_json', 'archiver'],
      ['malformed_json', 'archiver'],
    ]);
    const files = (await listArchiveFiles(scratch.root)).map((f) => f.path);
    const rows = await db.runAndReadAll(
      `SELECT device_id, value FROM read_parquet(${fileListSql(files)}) ORDER BY value`,
    );
    expect(rows.getRowObjectsJS()).toEqual([
      { device_id: 'd1', value: 1 },
      { device_id: 'd3', value: 5 },
    ]);
  });
});
