// A stored 1-minute speed window together with whether the speed layer has closed it.
import type { SeriesKey, WindowPoint } from '@lambda-iot/views';

/** A closed (`final`) window never changes again: later readings for it are late and left to the batch layer. */
export interface SpeedMinute extends WindowPoint {
  final: boolean;
}

/** Reads a series' stored 1-minute windows over [from, to), sorted by window start, only count > 0. */
export interface MinuteSource {
  readMinutes(key: SeriesKey, from: number, to: number): Promise<SpeedMinute[]>;
}

/** The window without its final flag, as views hand windows out. */
export function asWindowPoint({ windowStart, aggregate }: SpeedMinute): WindowPoint {
  return { windowStart, aggregate };
}
