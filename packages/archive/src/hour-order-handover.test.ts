import { rm } from 'node:fs/promises';
import type { KafkaMessage } from 'kafkajs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDbScratch } from '@lambda-iot/testkit';
import { encodeEnvelope, HOUR_MS } from '@lambda-iot/core';
import { ArchivePartitionHandler } from './archive-partition-handler';
import { listArchiveFiles } from './archive-files';
import { readHourOrderHandovers } from './hour-order-handover';
import { sqlString } from './parquet-readings-writer';

const H = Date.UTC(2026, 2, 3, 4);
const ctx = { heartbeat: async () => undefined, signal: new AbortController().signal };

describe('readHourOrderHandovers', () => {
  let scratch: DuckDbScratch;
  let root: string;
  let db: DuckDBConnection;

  beforeEach(async () => {
    scratch = await DuckDbScratch.open('liot-handover-');
    ({ root, db } = scratch);
  });
  afterEach(() => scratch.close());

  /** Archives one reading per record (device, ts) from `firstOffset` on, one flush per `flushEvery` records. */
  async function archive(
    readings: Array<[string, number]>,
    flushEvery: number,
    firstOffset = 0,
  ): Promise<void> {
    const handler = new ArchivePartitionHandler({
      root,
      partition: 0,
      committedOffset: undefined,
      plannedEnds: [],
      connection: db,
      ledger: { recordFlush: async () => 0 },
      deadLetters: async () => undefined,
      maxReadings: Number.MAX_SAFE_INTEGER,
      maxAgeMs: HOUR_MS,
      now: () => H,
    });
    for (let i = 0; i < readings.length; i += flushEvery) {
      const records: KafkaMessage[] = readings.slice(i, i + flushEvery).map(([deviceId, ts], j) => ({
        key: Buffer.from(deviceId),
        value: encodeEnvelope({ deviceId, readings: [{ metric: 'm', ts, value: 1 }] }),
        timestamp: String(H),
        attributes: 0,
        offset: String(firstOffset + i + j),
        headers: {},
      }));
      await handler.handle(records, ctx);
      await handler.checkpoint(ctx);
    }
    await handler.close();
  }

  it('hands over each hour’s run: its claim’s start, its listed series and every series’ greatest ts', async () => {
    await archive(
      [
        ['a', H + 5],
        ['b', H + 7],
        ['a', H + 5], // a duplicate: 'a' is listed
        ['a', H + HOUR_MS + 1],
        ['b', H + 9],
      ],
      2,
    );
    const handovers = await readHourOrderHandovers(db, await listArchiveFiles(root, 0), 5);
    expect(
      handovers.map(({ hour, since, offset, unordered }) => ({ hour, since, offset, unordered })),
    ).toEqual([
      { hour: H + HOUR_MS, since: 3, offset: 3, unordered: [] },
      { hour: H, since: 0, offset: 4, unordered: [['a', 'm']] },
    ]);
    expect(handovers[1]?.last).toEqual(
      new Map([
        ['a', new Map([['m', H + 5]])],
        ['b', new Map([['m', H + 9]])],
      ]),
    );
  });

  it('hands over nothing for a partition never committed, and ignores files a crashed run wrote past the commit', async () => {
    await archive(
      [
        ['a', H + 1],
        ['a', H + 2],
        ['a', H + 30],
      ],
      2,
    );
    expect(await readHourOrderHandovers(db, await listArchiveFiles(root, 0), undefined)).toEqual([]);
    // Committed at 2: the file of offset 2 (ts H + 30) is replayed and rewritten, so it does not count.
    const [hour] = await readHourOrderHandovers(db, await listArchiveFiles(root, 0), 2);
    expect(hour?.last.get('a')?.get('m')).toBe(H + 2);
  });

  it('leaves out an hour whose latest file claims nothing, and one with a file straddling the commit', async () => {
    await archive(
      [
        ['a', H + 1],
        ['a', H + HOUR_MS + 1],
      ],
      1,
    );
    const files = await listArchiveFiles(root, 0);
    const bare = files.find((f) => f.hourStart === H) as (typeof files)[number];
    await db.run(
      `COPY (SELECT * FROM read_parquet(${sqlString(bare.path)})) TO ${sqlString(`${bare.path}.tmp`)} (FORMAT parquet)`,
    );
    await rm(bare.path);
    await db.run(
      `COPY (SELECT * FROM read_parquet(${sqlString(`${bare.path}.tmp`)})) TO ${sqlString(bare.path)} (FORMAT parquet)`,
    );
    await rm(`${bare.path}.tmp`);
    expect((await readHourOrderHandovers(db, files, 2)).map((h) => h.hour)).toEqual([H + HOUR_MS]);
    expect((await readHourOrderHandovers(db, files, 1)).map((h) => h.hour)).toEqual([]);
    const straddling = files.map((f) => (f.hourStart === H + HOUR_MS ? { ...f, lastOffset: 5 } : f));
    expect((await readHourOrderHandovers(db, straddling, 2)).map((h) => h.hour)).toEqual([]);
  });
});
