import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDbScratch } from '@lambda-iot/testkit';
import {
  ArchivePartitionHandler,
  ORDERED_SINCE_KEY,
  listArchiveFiles,
  readArchiveClaims,
  readHourOrderHandovers,
  readingsHourDir,
  sqlString,
} from '@lambda-iot/archive';
import {
  aggregatesEqual,
  encodeEnvelope,
  type Aggregate,
  type EnvelopeReading,
  type Reading,
} from '@lambda-iot/core';
import { viewSelectSql } from './aggregate-sql';
import { proveHour } from './duplicate-free-proof';
import { computeMinuteAggregates, type DedupOutcome } from './minute-aggregates';
import { groundTruth, prng } from './test-support/readings-fixture';

const H = Date.UTC(2026, 2, 3, 4);
const ctx = { heartbeat: async () => undefined, signal: new AbortController().signal };

/** One envelope per record, archived by the archiver's own partition handler, flushing every `flushEvery` records. */
async function archive(
  root: string,
  partition: number,
  envelopes: ReadonlyArray<{ deviceId: string; readings: EnvelopeReading[] }>,
  flushEvery: number,
  db: DuckDBConnection,
  firstOffset = 0,
  /** A restarted archiver that continues its predecessor's claims, as the archiver's factory does. */
  handover = false,
): Promise<void> {
  const handler = new ArchivePartitionHandler({
    root,
    partition,
    committedOffset: handover ? firstOffset : undefined,
    plannedEnds: [],
    handovers: handover
      ? await readHourOrderHandovers(db, await listArchiveFiles(root, partition), firstOffset)
      : [],
    connection: db,
    ledger: { recordFlush: async () => 0 },
    deadLetters: async () => undefined,
    maxReadings: Number.MAX_SAFE_INTEGER,
    maxAgeMs: 3_600_000,
    now: () => H,
  });
  for (let i = 0; i < envelopes.length; i += flushEvery) {
    const records: KafkaMessage[] = envelopes.slice(i, i + flushEvery).map((e, j) => ({
      key: Buffer.from(e.deviceId),
      value: encodeEnvelope(e),
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

/** Envelopes of `devices` devices × 2 metrics, each series strictly increasing in ts, sent in ts order. */
function inOrder(
  devices: number,
  perSeries: number,
  seed: number,
): Array<{ deviceId: string; readings: EnvelopeReading[] }> {
  const rand = prng(seed);
  const out = [];
  for (let k = 0; k < perSeries; k++) {
    for (let d = 0; d < devices; d++) {
      const ts = H + k * 1_000 + d;
      out.push({
        deviceId: `dev-${d}`,
        readings: ['temperature', 'humidity'].map((metric, m) => ({
          metric,
          ts,
          value: Math.round((rand() * 100 - 50) * 100) / 100,
          ...(m === 0 ? { seq: k } : {}),
        })),
      });
    }
  }
  return out;
}

function readingsOf(envelopes: ReadonlyArray<{ deviceId: string; readings: EnvelopeReading[] }>): Reading[] {
  return envelopes.flatMap((e) => e.readings.map((r) => ({ deviceId: e.deviceId, ...r })));
}

describe('1-minute aggregates of an archived hour', () => {
  let scratch: DuckDbScratch;
  let root: string;
  let db: DuckDBConnection;

  beforeEach(async () => {
    scratch = await DuckDbScratch.open('liot-minute-');
    ({ root, db } = scratch);
  });
  afterEach(() => scratch.close());

  async function compute(): Promise<{ outcome: DedupOutcome; windows: Map<string, Aggregate> }> {
    const files = (await listArchiveFiles(root)).map((f) => f.path).sort();
    const outcome = await computeMinuteAggregates(db, files, 'agg');
    const rows = (await db.runAndReadAll(viewSelectSql('agg'))).getRowObjectsJS();
    const windows = new Map<string, Aggregate>();
    for (const r of rows) {
      windows.set(`${String(r.device_id)}|${String(r.metric)}|1m|${Number(r.window_start)}`, {
        count: Number(r.count),
        sum: Number(r.sum),
        min: Number(r.min),
        max: Number(r.max),
        sumSq: Number(r.sum_sq),
        first: Number(r.first),
        firstTs: Number(r.first_ts),
        last: Number(r.last),
        lastTs: Number(r.last_ts),
      });
    }
    return { outcome, windows };
  }

  /** Rewrites the files whose path contains `marker` without key-value metadata, as another tool would. */
  async function stripClaims(marker: string): Promise<void> {
    for (const { path } of await listArchiveFiles(root)) {
      if (!path.includes(marker)) continue;
      await db.run(
        `COPY (SELECT * FROM read_parquet(${sqlString(path)})) TO ${sqlString(`${path}.bare`)} (FORMAT parquet)`,
      );
      await rename(`${path}.bare`, path);
    }
  }

  function expectGroundTruth(windows: Map<string, Aggregate>, readings: readonly Reading[]): void {
    const truth = [...groundTruth(readings)].filter(([k]) => k.split('|')[2] === '1m');
    expect([...windows.keys()].sort()).toEqual(truth.map(([k]) => k).sort());
    const wrong = truth.filter(([k, agg]) => !aggregatesEqual(windows.get(k) as Aggregate, agg));
    expect(wrong.map(([k, agg]) => ({ k, expected: agg, actual: windows.get(k) }))).toEqual([]);
  }

  it('skips the dedup stage for series archived in event-time order, and equals the ground truth', async () => {
    const p0 = inOrder(6, 150, 1).filter((e) => Number(e.deviceId.slice(4)) % 2 === 0);
    const p1 = inOrder(6, 150, 1).filter((e) => Number(e.deviceId.slice(4)) % 2 === 1);
    await archive(root, 0, p0, 97, db);
    await archive(root, 1, p1, 61, db);
    const { outcome, windows } = await compute();
    expect(outcome).toBe('skipped');
    expectGroundTruth(windows, readingsOf([...p0, ...p1]));
  });

  it('dedups the series with duplicates and out-of-order readings, in any file, with the same answers', async () => {
    for (let seed = 1; seed <= 5; seed++) {
      await rm(root, { recursive: true, force: true });
      const rand = prng(seed);
      const envelopes = inOrder(4, 120, seed);
      // A retried envelope, a reading sent late, and a reading equal in ts to another with a different seq.
      const at = Math.floor(rand() * envelopes.length);
      const copy = envelopes[at] as { deviceId: string; readings: EnvelopeReading[] };
      const altered = [...envelopes];
      if (seed % 3 === 0) {
        altered.push(copy);
      } else if (seed % 3 === 1) {
        altered.splice(Math.min(at, altered.length - 10), 1);
        altered.push(copy);
      } else {
        const first = copy.readings[0] as EnvelopeReading;
        altered.push({ ...copy, readings: [{ ...first, seq: 999_999, value: -7 }] });
      }
      await archive(root, 0, altered, 1 + Math.floor(rand() * 100), db);
      const { outcome, windows } = await compute();
      expect({ seed, outcome }).toEqual({ seed, outcome: 'partial' });
      expectGroundTruth(windows, readingsOf(altered));
    }
  });

  it('runs the dedup for a duplicate of a reading that an envelope sent before an out-of-order one', async () => {
    const envelopes = [
      { deviceId: 'd', readings: [5, 3].map((k) => ({ metric: 'm', ts: H + k, value: k, seq: k })) },
      { deviceId: 'd', readings: [{ metric: 'm', ts: H + 5, value: 5, seq: 5 }] },
      { deviceId: 'd', readings: [{ metric: 'm', ts: H + 9, value: 9, seq: 9 }] },
    ];
    await archive(root, 0, envelopes, 10, db);
    const { outcome, windows } = await compute();
    expect(outcome).toBe('partial');
    expectGroundTruth(windows, readingsOf(envelopes));
  });

  it('dedups only the series with duplicates, in random files and partitions, equal to the ground truth', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      await rm(root, { recursive: true, force: true });
      const rand = prng(seed * 101);
      const all: Array<{ deviceId: string; readings: EnvelopeReading[] }> = [];
      for (let p = 0; p < 2; p++) {
        const envelopes = inOrder(8, 40, seed).filter((e) => Number(e.deviceId.slice(4)) % 2 === p);
        // Re-sends (whole envelopes, or one reading with another seq) at random later offsets of a few devices.
        for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) {
          const at = Math.floor(rand() * envelopes.length);
          const copy = envelopes[at] as { deviceId: string; readings: EnvelopeReading[] };
          const to = at + 1 + Math.floor(rand() * (envelopes.length - at));
          const first = copy.readings[0] as EnvelopeReading;
          envelopes.splice(
            to,
            0,
            rand() < 0.5 ? copy : { ...copy, readings: [{ ...first, seq: 1_000 + k, value: k }] },
          );
        }
        await archive(root, p, envelopes, 1 + Math.floor(rand() * 50), db);
        all.push(...envelopes);
      }
      const { outcome, windows } = await compute();
      expect({ seed, outcome }).toEqual({ seed, outcome: 'partial' });
      expectGroundTruth(windows, readingsOf(all));
    }
  });

  it('dedups a partition whose claims do not reach back, and the proven series of the others without it', async () => {
    const envelopes = inOrder(4, 40, 5);
    await archive(
      root,
      0,
      envelopes.filter((e) => e.deviceId < 'dev-2'),
      30,
      db,
    );
    const p1 = envelopes.filter((e) => e.deviceId >= 'dev-2');
    await archive(root, 1, p1.slice(0, 30), 30, db);
    // A restarted archiver claims nothing about offsets before its first; it re-reads one envelope.
    await archive(root, 1, [p1[29] as (typeof p1)[number], ...p1.slice(30)], 30, db, 29);
    const files = (await listArchiveFiles(root)).map((f) => f.path).sort();
    const proof = proveHour(await readArchiveClaims(db, files));
    expect(proof.unproven.length).toBeGreaterThan(0);
    expect(proof.unproven.every((f) => f.includes('part-1-'))).toBe(true);
    const { outcome, windows } = await compute();
    expect(outcome).toBe('partial');
    expectGroundTruth(windows, readingsOf(envelopes));
  });

  // Copies of one device's readings in a second partition, in files without claims (so unproven there): the
  // device's windows sit in the dedup-free part and in the dedup part. Of two copies of a key the dedup keeps the
  // one with the lowest (partition, offset): a younger unproven copy is dropped, an older one wins.
  it.each([
    ['merges suspect rows into windows they share with proven ones, dropping younger copies', 0, 1, 'merged'],
    ['falls back to the whole-hour dedup when a suspect copy is older than its proven reading', 1, 0, 'ran'],
  ])('%s', async (_title, provenPartition, copyPartition, expected) => {
    const envelopes = inOrder(2, 60, 3);
    await archive(root, provenPartition, envelopes, 40, db);
    const moved = envelopes.slice(50, 60).filter((e) => e.deviceId === 'dev-1');
    await archive(root, copyPartition, moved, 40, db);
    await stripClaims(`part-${copyPartition}-`);
    const { outcome, windows } = await compute();
    expect(outcome).toBe(expected);
    expectGroundTruth(windows, readingsOf([...envelopes, ...moved]));
  });

  it('merges a bulk re-send of archived readings (some altered, some new) in a file without claims', async () => {
    for (let seed = 1; seed <= 4; seed++) {
      await rm(root, { recursive: true, force: true });
      const rand = prng(seed * 7);
      const envelopes = inOrder(6, 50, seed);
      await archive(root, 0, envelopes, 1 + Math.floor(rand() * 80), db);
      // A gateway replays its buffer: some envelopes again, a few with another value (the first copy wins),
      // a few never archived before, and one twice; then the proof stops at the replay's file.
      const replay = envelopes
        .filter(() => rand() < 0.2)
        .map((e) =>
          rand() < 0.1 ? { ...e, readings: e.readings.map((r) => ({ ...r, value: r.value + 1000 })) } : e,
        );
      const fresh = [{ deviceId: 'dev-new', readings: [{ metric: 'm', ts: H + 7, value: 7, seq: 1 }] }];
      const resent = [...replay, ...fresh, ...replay.slice(0, 1)];
      await archive(root, 0, resent, 1_000, db, envelopes.length);
      await stripClaims(`-${envelopes.length}-`);
      const { outcome, windows } = await compute();
      expect({ seed, outcome }).toEqual({ seed, outcome: 'merged' });
      // The ground truth keeps the first copy of a key: the archived reading, not the altered re-send.
      expectGroundTruth(windows, readingsOf([...envelopes, ...resent]));
    }
  });

  it('equals the ground truth on random mixes of proofs, listed series and bulk re-sends, whatever the path', async () => {
    const outcomes = new Set<DedupOutcome>();
    for (let seed = 1; seed <= 8; seed++) {
      await rm(root, { recursive: true, force: true });
      const rand = prng(seed * 31);
      const byPartition: Array<Array<{ deviceId: string; readings: EnvelopeReading[] }>> = [];
      for (let p = 0; p < 2; p++) {
        const envelopes = inOrder(6, 30, seed).filter((e) => Number(e.deviceId.slice(4)) % 2 === p);
        // Some producers retry an envelope later in their own partition: their series are listed.
        for (let k = Math.floor(rand() * 3); k > 0; k--) {
          const at = Math.floor(rand() * envelopes.length);
          envelopes.splice(at + 1 + Math.floor(rand() * 5), 0, envelopes[at] as (typeof envelopes)[number]);
        }
        await archive(root, p, envelopes, 1 + Math.floor(rand() * 40), db);
        byPartition.push(envelopes);
      }
      // A bulk re-send into one partition, in a file without claims: copies from either partition, some altered.
      const into = rand() < 0.5 ? 0 : 1;
      const bulk = [...(byPartition[0] ?? []), ...(byPartition[1] ?? [])]
        .filter(() => rand() < 0.15)
        .map((e) =>
          rand() < 0.2 ? { ...e, readings: e.readings.map((r) => ({ ...r, value: r.value - 500 })) } : e,
        );
      const first = byPartition[into]?.length ?? 0;
      await archive(root, into, bulk, 1_000, db, first + 10);
      await stripClaims(`part-${into}-${first + 10}-`);
      (byPartition[into] as Array<(typeof bulk)[number]>).push(...bulk);
      const { outcome, windows } = await compute();
      outcomes.add(outcome);
      // Of copies of a key the lowest (partition, offset) counts: partition 0 in offset order, then partition 1.
      expectGroundTruth(windows, readingsOf([...(byPartition[0] ?? []), ...(byPartition[1] ?? [])]));
    }
    // The seeds reach both the merge and the whole-hour fallback (a re-sent copy older than its original).
    expect([...outcomes].sort()).toEqual(['merged', 'ran']);
  });

  it('runs the dedup when one device’s readings sit in two partitions, as after the topic grew', async () => {
    const envelopes = inOrder(2, 60, 3);
    const dup = envelopes.slice(50, 60);
    await archive(root, 0, envelopes, 40, db);
    await archive(root, 1, dup, 40, db);
    const { outcome, windows } = await compute();
    expect(outcome).toBe('ran');
    expectGroundTruth(windows, readingsOf([...envelopes, ...dup]));
  });

  it('breaks first/last ties of equal ts by value, smaller first and larger last, and folds -0 to 0', async () => {
    const envelopes = [
      { deviceId: 'd', readings: [{ metric: 'm', ts: H + 5, value: 5, seq: 1 }] },
      { deviceId: 'd', readings: [{ metric: 'm', ts: H + 5, value: 3, seq: 2 }] },
      { deviceId: 'd', readings: [{ metric: 'm', ts: H + 9, value: 2, seq: 3 }] },
      { deviceId: 'd', readings: [{ metric: 'm', ts: H + 9, value: 4, seq: 4 }] },
      { deviceId: 'z', readings: [{ metric: 'm', ts: H + 1, value: -0, seq: 1 }] },
      { deviceId: 'z', readings: [{ metric: 'm', ts: H + 2, value: -0, seq: 2 }] },
    ];
    await archive(root, 0, envelopes, 10, db);
    const { windows } = await compute();
    expect(windows.get(`d|m|1m|${H}`)).toMatchObject({ first: 3, firstTs: H + 5, last: 4, lastTs: H + 9 });
    const zero = windows.get(`z|m|1m|${H}`) as Aggregate;
    for (const v of [zero.sum, zero.min, zero.max, zero.first, zero.last]) expect(Object.is(v, 0)).toBe(true);
  });

  it('folds -0 to 0 without the dedup stage too', async () => {
    const envelopes = [1, 2, 3].map((k) => ({
      deviceId: 'z',
      readings: [{ metric: 'm', ts: H + k, value: -0, seq: k }],
    }));
    await archive(root, 0, envelopes, 10, db);
    const { outcome, windows } = await compute();
    expect(outcome).toBe('skipped');
    const zero = windows.get(`z|m|1m|${H}`) as Aggregate;
    for (const v of [zero.sum, zero.min, zero.max, zero.first, zero.last]) expect(Object.is(v, 0)).toBe(true);
  });

  it('trusts no file whose claim does not reach back to the partition’s first file', async () => {
    const envelopes = inOrder(3, 40, 9);
    await archive(root, 0, envelopes.slice(0, 60), 30, db);
    // A second archiver process resuming at offset 60 without its predecessor's claims claims nothing before it:
    // its files go through the dedup, merged into the windows they share with the first run's.
    await archive(root, 0, envelopes.slice(60), 30, db, 60);
    const files = (await listArchiveFiles(root)).map((f) => f.path).sort();
    expect(proveHour(await readArchiveClaims(db, files)).unproven.map((f) => f.split('/').pop())).toEqual([
      'part-0-60-89.parquet',
      'part-0-90-119.parquet',
    ]);
    const { outcome, windows } = await compute();
    expect(outcome).toBe('merged');
    expectGroundTruth(windows, readingsOf(envelopes));
  });

  it('proves an hour across an archiver restart that continues its predecessor’s claims', async () => {
    const envelopes = inOrder(3, 40, 9);
    await archive(root, 0, envelopes.slice(0, 60), 30, db);
    await archive(root, 0, envelopes.slice(60), 30, db, 60, true);
    const { outcome, windows } = await compute();
    expect(outcome).toBe('skipped');
    expectGroundTruth(windows, readingsOf(envelopes));
  });

  it('dedups, after a handover, the series a new run re-sends at or below the last ts archived', async () => {
    const envelopes = inOrder(3, 40, 9);
    await archive(root, 0, envelopes.slice(0, 60), 30, db);
    // A producer retry after the restart: an envelope archived before it arrives again.
    const resent = [envelopes[58] as (typeof envelopes)[number], ...envelopes.slice(60)];
    await archive(root, 0, resent, 30, db, 60, true);
    const files = (await listArchiveFiles(root)).map((f) => f.path).sort();
    const proof = proveHour(await readArchiveClaims(db, files));
    expect(proof.unproven).toEqual([]);
    expect(proof.unordered.map(([d]) => d)).toEqual([envelopes[58]?.deviceId, envelopes[58]?.deviceId]);
    const { outcome, windows } = await compute();
    expect(outcome).toBe('partial');
    expectGroundTruth(windows, readingsOf([...envelopes.slice(0, 60), ...resent]));
  });

  it('trusts no file without a claim, such as one written by another tool', async () => {
    await archive(root, 0, inOrder(3, 40, 9), 30, db);
    const claimed = await compute();
    expect(claimed.outcome).toBe('skipped');
    for (const { path } of await listArchiveFiles(root)) {
      await db.run(
        `COPY (SELECT * FROM read_parquet(${sqlString(path)})) TO ${sqlString(`${path}.tmp`)} (FORMAT parquet)`,
      );
      await rename(`${path}.tmp`, path);
    }
    const claims = await db.runAndReadAll(
      `SELECT count(*) FROM parquet_kv_metadata(${sqlString(join(readingsHourDir(root, H), '*.parquet'))})
       WHERE key = ${sqlString(ORDERED_SINCE_KEY)}::BLOB`,
    );
    expect(Number(claims.getRows()[0]?.[0])).toBe(0);
    const unclaimed = await compute();
    expect(unclaimed.outcome).toBe('ran');
    expect(unclaimed.windows).toEqual(claimed.windows);
  });
});
