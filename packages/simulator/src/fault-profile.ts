// How much of the simulated traffic is messy, and in which ways: the fault ratios a run is configured with.
import { HOUR_MS, MINUTE_MS } from '@lambda-iot/core';

export interface FaultProfile {
  /** Fraction of readings sent twice (an exact resend, as after a lost acknowledgement). */
  duplicates: number;
  /** Fraction of readings held back and sent 1-5 s of event time later than their neighbours. */
  outOfOrder: number;
  /** Fraction of readings sent 1-10 minutes of event time late. */
  lateMinutes: number;
  /** Fraction of devices with one offline episode of `offlineMs`, flushing their backlog on reconnect. */
  offlineDevices: number;
  /** Bounds of an offline episode's length. */
  offlineMs: readonly [number, number];
  /** Most readings per metric an offline device keeps; it records more sparsely when offline longer. */
  maxBacklogSamples: number;
  /** Fraction of devices whose clock is off by `skewMs` (their readings stay valid). */
  skewedDevices: number;
  /** Bounds of the absolute clock offset of a skewed device (the sign is random). */
  skewMs: readonly [number, number];
  /** Fraction of envelopes followed by one malformed record from the same device. */
  malformed: number;
}

/** Messy enough that every fault appears in a short run, clean enough that most traffic is ordinary. */
export const DEFAULT_FAULTS: Readonly<FaultProfile> = Object.freeze({
  duplicates: 0.02,
  outOfOrder: 0.02,
  lateMinutes: 0.01,
  offlineDevices: 0.1,
  offlineMs: Object.freeze([1 * HOUR_MS, 3 * HOUR_MS] as const),
  maxBacklogSamples: 60,
  skewedDevices: 0.1,
  skewMs: Object.freeze([2_000, 30_000] as const),
  malformed: 0.01,
});

export const NO_FAULTS: Readonly<FaultProfile> = Object.freeze({
  ...DEFAULT_FAULTS,
  duplicates: 0,
  outOfOrder: 0,
  lateMinutes: 0,
  offlineDevices: 0,
  skewedDevices: 0,
  malformed: 0,
});

export const OUT_OF_ORDER_MS: readonly [number, number] = [1_000, 5_000];
export const LATE_MINUTES_MS: readonly [number, number] = [1 * MINUTE_MS, 10 * MINUTE_MS];
