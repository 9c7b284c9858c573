// Per event hour of one partition: since which offset each series arrived in strictly increasing event time.

/**
 * Parquet key-value metadata key of an archive file: a decimal Kafka offset S. It states that among the valid
 * readings of this file's partition and event hour at offsets S through the file's last offset, the event
 * times of each (device_id, metric) not listed under `UNORDERED_SERIES_KEY` strictly increase with the offset.
 * A claim is about Kafka's immutable records, not about one file, so it stays true when the file is rewritten or
 * merged. Two readings with the same (device_id, metric, ts) of such a series cannot both lie in such a range:
 * the batch layer skips its dedup for those series (see the batch layer's `proveHour`).
 */
export const ORDERED_SINCE_KEY = 'lambda_iot.ordered_since';

/**
 * Parquet key-value metadata key of an archive file: a JSON array of `[device_id, metric]` pairs, the series of
 * the partition and hour whose readings at offsets `ORDERED_SINCE_KEY` through the file's last offset are not
 * proven strictly increasing (a duplicate, an out-of-order reading, an equal ts with another seq). Absent means
 * none. Meaningless without `ORDERED_SINCE_KEY`.
 */
export const UNORDERED_SERIES_KEY = 'lambda_iot.unordered_series';

/** Event hours a tracker follows at once; beyond it the oldest is forgotten. */
export const TRACKED_HOURS = 8;

/** Series listed per hour at most; one more restarts the hour's run instead (the list stays small). */
export const MAX_UNORDERED_SERIES = 1_000;

/**
 * Where an hour's run stood when its partition last committed, read back from the archive by the partition's next
 * owner (see `readHourOrderHandovers`), so a restart or rebalance continues the run instead of starting a new one.
 */
export interface HourOrderHandover {
  hour: number;
  since: number;
  /** The last offset the handover was read up to. */
  offset: number;
  /**
   * Per device and metric, the greatest ts archived for the hour in the run's range: at least the series' last ts,
   * so a reading above it follows the run in order (a reading at or below it is listed, perhaps needlessly).
   */
  last: Map<string, Map<string, number>>;
  unordered: ReadonlyArray<readonly [string, string]>;
}

interface HourOrder {
  since: number;
  /** Offset of the hour's latest reading seen: a record (an envelope) holds many readings at one offset. */
  offset: number;
  last: Map<string, Map<string, number>>;
  /** Series that broke their order since `since`: listed, never forgotten within the run. */
  unordered: Map<string, Set<string>>;
  unorderedCount: number;
}

/**
 * Watches the readings one partition handler appends, in offset order. A reading that does not follow its
 * series' previous one in event time (out of order, a duplicate, an equal ts with another seq) marks the series
 * unordered for the rest of the hour's run; the other series keep their claim. Past `maxUnordered` series the
 * hour's run restarts: at the reading's own offset, or after it when readings of the same record came before it.
 * A new process (crash, rebalance) starts with no runs, so its claims begin at the first offset it reads, unless
 * it `resume`s the runs its predecessor left in the archive.
 */
export class HourOrderTracker {
  private readonly hours = new Map<number, HourOrder>();
  private offset = Number.NaN;
  private lastHour = Number.NaN;
  private lastOrder: HourOrder | undefined;

  /**
   * @param maxHours hours tracked; beyond it the oldest is forgotten (a late reading then starts afresh).
   * @param maxUnordered series an hour's run may list as unordered before it restarts.
   */
  constructor(
    private readonly maxHours = TRACKED_HOURS,
    private readonly maxUnordered = MAX_UNORDERED_SERIES,
  ) {}

  observe(hour: number, deviceId: string, metric: string, ts: number, offset: number): void {
    if (offset !== this.offset) {
      this.offset = offset;
      // Only between records, so that a run never starts amid readings of one record it did not all see.
      while (this.hours.size > this.maxHours) this.forgetOldest();
    }
    let order = hour === this.lastHour ? this.lastOrder : this.hours.get(hour);
    if (order === undefined) {
      order = { since: offset, offset, last: new Map(), unordered: new Map(), unorderedCount: 0 };
      this.hours.set(hour, order);
    }
    this.lastHour = hour;
    this.lastOrder = order;
    let metrics = order.last.get(deviceId);
    if (metrics === undefined) order.last.set(deviceId, (metrics = new Map()));
    const previous = metrics.get(metric);
    if (previous !== undefined && ts <= previous && !order.unordered.get(deviceId)?.has(metric)) {
      if (order.unorderedCount < this.maxUnordered) {
        let set = order.unordered.get(deviceId);
        if (set === undefined) order.unordered.set(deviceId, (set = new Set()));
        set.add(metric);
        order.unorderedCount++;
      } else {
        order.since = order.offset === offset ? offset + 1 : offset;
        order.last.clear();
        order.last.set(deviceId, (metrics = new Map()));
        order.unordered.clear();
        order.unorderedCount = 0;
      }
    }
    order.offset = offset;
    metrics.set(metric, ts);
  }

  /** Continues a predecessor's run of the hour; only before this tracker has seen a reading of the hour. */
  resume(handover: HourOrderHandover): void {
    if (this.hours.has(handover.hour)) return;
    const unordered = new Map<string, Set<string>>();
    for (const [deviceId, metric] of handover.unordered) {
      let set = unordered.get(deviceId);
      if (set === undefined) unordered.set(deviceId, (set = new Set()));
      set.add(metric);
    }
    this.hours.set(handover.hour, {
      since: handover.since,
      offset: handover.offset,
      last: handover.last,
      unordered,
      unorderedCount: handover.unordered.length,
    });
    while (this.hours.size > this.maxHours) this.forgetOldest();
  }

  /** The offset the hour's current run starts at, or undefined for an hour not tracked (never seen, or forgotten). */
  orderedSince(hour: number): number | undefined {
    return this.hours.get(hour)?.since;
  }

  /** The hour's series not proven ordered since `orderedSince(hour)`, as `[deviceId, metric]` pairs, sorted. */
  unorderedSeries(hour: number): Array<[string, string]> {
    const order = this.hours.get(hour);
    if (order === undefined) return [];
    const out: Array<[string, string]> = [];
    for (const [deviceId, metrics] of order.unordered) {
      for (const metric of metrics) out.push([deviceId, metric]);
    }
    return out.sort((a, b) => (a[0] === b[0] ? cmp(a[1], b[1]) : cmp(a[0], b[0])));
  }

  /** The claim of a file of `hour` flushed now, as Parquet key-value metadata (none for an untracked hour). */
  claim(hour: number): Record<string, string> {
    const since = this.orderedSince(hour);
    if (since === undefined) return {};
    const unordered = this.unorderedSeries(hour);
    return unordered.length === 0
      ? { [ORDERED_SINCE_KEY]: String(since) }
      : { [ORDERED_SINCE_KEY]: String(since), [UNORDERED_SERIES_KEY]: JSON.stringify(unordered) };
  }

  private forgetOldest(): void {
    const oldest = Math.min(...this.hours.keys());
    this.hours.delete(oldest);
    if (oldest === this.lastHour) {
      this.lastHour = Number.NaN;
      this.lastOrder = undefined;
    }
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
