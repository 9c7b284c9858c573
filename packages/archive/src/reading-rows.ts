// Column-wise buffer of raw readings with their Kafka coordinates: one row per reading in a Parquet file.

/** The archive's columns, in file order. ts and ingest_ts are epoch milliseconds (BIGINT), seq is nullable. */
export const ARCHIVE_COLUMNS_SQL =
  'device_id VARCHAR, metric VARCHAR, ts BIGINT, value DOUBLE, seq BIGINT, kafka_partition INTEGER, kafka_offset BIGINT, ingest_ts BIGINT';

export interface ArchiveRow {
  deviceId: string;
  metric: string;
  ts: number;
  value: number;
  seq: number | null;
  kafkaPartition: number;
  kafkaOffset: number;
  ingestTs: number;
}

/** Rows kept as parallel arrays: a flush of many thousand readings allocates a few arrays, not objects. */
export class ReadingRows {
  deviceId: string[] = [];
  metric: string[] = [];
  ts: number[] = [];
  value: number[] = [];
  seq: Array<number | null> = [];
  kafkaOffset: number[] = [];
  ingestTs: number[] = [];

  constructor(readonly kafkaPartition: number) {}

  get length(): number {
    return this.ts.length;
  }

  push(
    deviceId: string,
    metric: string,
    ts: number,
    value: number,
    seq: number | null,
    offset: number,
    ingestTs: number,
  ): void {
    this.deviceId.push(deviceId);
    this.metric.push(metric);
    this.ts.push(ts);
    this.value.push(value);
    this.seq.push(seq);
    this.kafkaOffset.push(offset);
    this.ingestTs.push(ingestTs);
  }

  row(i: number): ArchiveRow {
    return {
      deviceId: this.deviceId[i] as string,
      metric: this.metric[i] as string,
      ts: this.ts[i] as number,
      value: this.value[i] as number,
      seq: this.seq[i] ?? null,
      kafkaPartition: this.kafkaPartition,
      kafkaOffset: this.kafkaOffset[i] as number,
      ingestTs: this.ingestTs[i] as number,
    };
  }
}
