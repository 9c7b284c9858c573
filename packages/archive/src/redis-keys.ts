// The Redis keys shared by the archiver, the batch layer and the serving app, all under the configured prefix.

/** Key names under one prefix (default 'liot:'); every reader and writer derives them from here. */
export interface LayerKeys {
  /** String, epoch ms: every hour ending at or before it is sealed. */
  sealedThrough: string;
  /** Set of hour starts (epoch ms as decimal strings) that have raw readings in the archive. */
  hours: string;
  /** Sorted set of hour starts with readings that arrived after the hour was sealed or published; score = hour generation. */
  dirtyHours: string;
  /** Hash hour start → generation, incremented each time a file is written into the hour. */
  hourGenerations: string;
  /** Hash partition → max event time seen (epoch ms), from which the low watermark is derived. */
  partitionMaxTs: string;
  /** Hash partition → Redis time (epoch ms) of its last flush with readings: partitions idle longer are not waited for. */
  partitionSeenAt: string;
  /** Hash hour start (or `d:<day start>`) → JSON manifest entry of the published batch-view version. */
  batchManifest: string;
  /** String, epoch ms: the batch boundary B. */
  batchBoundary: string;
  /** Sorted set of retired batch-view versions, score = retirement time; garbage collected after the grace. */
  batchRetired: string;
  /** Lock guarding the JSON mirror of the manifest. */
  batchManifestLock: string;
}

export function layerKeys(prefix: string): LayerKeys {
  return {
    sealedThrough: `${prefix}archive:sealed-through`,
    hours: `${prefix}archive:hours`,
    dirtyHours: `${prefix}archive:dirty-hours`,
    hourGenerations: `${prefix}archive:hour-gen`,
    partitionMaxTs: `${prefix}archive:partition-max-ts`,
    partitionSeenAt: `${prefix}archive:partition-seen-at`,
    batchManifest: `${prefix}batch:manifest`,
    batchBoundary: `${prefix}batch:boundary`,
    batchRetired: `${prefix}batch:retired`,
    batchManifestLock: `${prefix}batch:manifest-lock`,
  };
}
