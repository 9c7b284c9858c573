// The pipeline's health as analysts need it: how far the speed layer got, and what the batch layer still owes.

/** One Kafka partition's progress in the speed layer, as the speed layer last reported it. */
export interface PartitionStatus {
  partition: number;
  /** Event-time watermark, epoch ms. */
  watermark: number;
  /** Consumer lag in messages. */
  lag: number;
  /** Readings too late for the speed layer (left to the batch layer). */
  late: number;
  duplicates: number;
  openWindows: number;
  /** Epoch ms of the report. */
  updatedAt: number;
}

export interface PipelineSnapshot {
  partitions: PartitionStatus[];
  /** Hour starts (epoch ms) that received readings after they were sealed, in hour order (at most the reader's limit). */
  dirtyHours: number[];
  /** All dirty hours, even when `dirtyHours` is cut at the limit. */
  dirtyHourCount: number;
  /** Event time below which the archive has sealed every hour, or null before the first seal. */
  sealedThrough: number | null;
}

export interface PipelineStatus {
  read(): Promise<PipelineSnapshot>;
}
