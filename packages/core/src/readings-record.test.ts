import { NOW } from './test-support/arbitraries';
import { CONTENT_TYPE_HEADER, encodeEnvelope, JSON_CONTENT_TYPE } from './envelope-codec';
import { judgeReadingsRecord, type ReadingsRecord } from './readings-record';

const DAY = 86_400_000;
const value = encodeEnvelope({
  deviceId: 'dev-1',
  readings: [{ metric: 'temperature', ts: NOW - 1000, value: 21.5 }],
});
const record = (over: Partial<ReadingsRecord> = {}): ReadingsRecord => ({
  key: Buffer.from('dev-1'),
  value,
  headers: { [CONTENT_TYPE_HEADER]: Buffer.from(JSON_CONTENT_TYPE) },
  timestamp: String(NOW),
  ...over,
});
const judged = (over: Partial<ReadingsRecord> = {}, fallbackNow = NOW) => {
  const v = judgeReadingsRecord(record(over), {}, fallbackNow);
  return { readings: v.readings.length, reasons: v.rejections.map((r) => r.reason) };
};

describe('judgeReadingsRecord: the one rule both layers apply to a readings record', () => {
  it('accepts an envelope keyed by its deviceId, with or without the content-type header', () => {
    expect(judged()).toEqual({ readings: 1, reasons: [] });
    expect(judged({ headers: {} })).toEqual({ readings: 1, reasons: [] });
    expect(judged({ headers: { [CONTENT_TYPE_HEADER]: ['application/json; charset=utf-8'] } })).toEqual({
      readings: 1,
      reasons: [],
    });
  });

  it('refuses a record keyed by another device: it may sit in another device’s partition', () => {
    const v = judgeReadingsRecord(record({ key: 'dev-2' }), {}, NOW);
    expect(v.readings).toEqual([]);
    expect(v.rejections).toEqual([
      { index: -1, reason: 'device_mismatch', message: expect.stringContaining('"dev-2"') },
    ]);
  });

  it('accepts a record without a key (nothing to contradict)', () => {
    expect(judged({ key: null })).toEqual({ readings: 1, reasons: [] });
  });

  it('refuses a foreign content type and a record without a value, naming why', () => {
    const foreign = judgeReadingsRecord(record({ headers: { [CONTENT_TYPE_HEADER]: 'text/csv' } }), {}, NOW);
    expect(foreign.rejections).toEqual([
      { index: -1, reason: 'malformed_json', message: 'unsupported content type text/csv' },
    ]);
    expect(judgeReadingsRecord(record({ value: null }), {}, NOW).rejections).toEqual([
      { index: -1, reason: 'malformed_json', message: 'record has no value' },
    ]);
  });

  it('judges by the record’s Kafka timestamp, not the wall clock: a replay years later decides the same', () => {
    expect(judged({}, NOW + 3 * 365 * DAY)).toEqual({ readings: 1, reasons: [] });
    // the same reading in a record stamped two days before it is from the future
    expect(judged({ timestamp: String(NOW - 2 * DAY) })).toEqual({ readings: 0, reasons: ['ts_in_future'] });
    // an unusable timestamp falls back to the given clock
    expect(judged({ timestamp: 'x' }, NOW)).toEqual({ readings: 1, reasons: [] });
  });
});
