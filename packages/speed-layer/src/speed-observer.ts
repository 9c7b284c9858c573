// What the speed layer reports while it works, so the app can turn it into metrics without the package knowing prom-client.

/** Outcomes of the readings of one handled batch of records. */
export interface RecordCounts {
  records: number;
  readings: number;
  applied: number;
  duplicates: number;
  late: number;
  replayed: number;
  /** Readings refused by validation, plus whole envelopes refused (counted as one each). */
  invalid: number;
}

export interface SpeedObserver {
  onRecords?(partition: number, counts: RecordCounts): void;
  onSinkWrite?(sink: string, windows: number, seconds: number, ok: boolean): void;
  /** A background failure (a flush, a heartbeat, a dead letter) that was handled but should be seen. */
  onError?(err: unknown, context: string): void;
}
