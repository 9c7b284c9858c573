// The batch manifest as the serving app reads it: remembers every entry it read, to answer through a Redis outage.
import { BatchManifest, type HourEntry } from '@lambda-iot/batch-layer';
import { LruCache, ViewUnavailableError } from '@lambda-iot/views';

/** Manifest fields remembered (hours and days); a year of hours is ~8,800. */
const MAX_REMEMBERED_FIELDS = 200_000;

/**
 * Redis holds the manifest. While Redis is down, reads of fields this process has read before answer with the
 * values last read: those versions were published, and the version collector (which needs Redis too) cannot
 * retire their files meanwhile. A read naming any field never read before fails with a retriable
 * ViewUnavailableError (503).
 */
export class LastKnownBatchManifest extends BatchManifest {
  private readonly hours = new LruCache<number, HourEntry | null>(MAX_REMEMBERED_FIELDS);
  private readonly fields = new LruCache<string, string | null>(MAX_REMEMBERED_FIELDS);
  /** Told about every read answered from memory. */
  onStale: (err: unknown) => void = () => undefined;

  override async hourEntries(hourStarts: readonly number[]): Promise<Map<number, HourEntry>> {
    try {
      const entries = await super.hourEntries(hourStarts);
      for (const h of hourStarts) this.hours.set(h, entries.get(h) ?? null);
      return entries;
    } catch (err) {
      const out = new Map<number, HourEntry>();
      for (const h of hourStarts) {
        const e = this.hours.get(h);
        if (e === undefined) throw new ViewUnavailableError('the batch manifest', err);
        if (e !== null) out.set(h, e);
      }
      this.onStale(err);
      return out;
    }
  }

  override async rawFields(fields: readonly string[]): Promise<Array<string | null>> {
    try {
      const values = await super.rawFields(fields);
      fields.forEach((f, i) => this.fields.set(f, values[i] ?? null));
      return values;
    } catch (err) {
      const out = fields.map((f) => this.fields.get(f));
      if (out.some((v) => v === undefined)) throw new ViewUnavailableError('the batch manifest', err);
      this.onStale(err);
      return out as Array<string | null>;
    }
  }
}
