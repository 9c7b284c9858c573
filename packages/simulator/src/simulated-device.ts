// Devices of a simulated fleet as the readings generator needs them: id, type, signal profile and sampling offset.
import { deviceProfile, type DeviceProfile } from './metric-models';
import { fleetDevices, type DeviceType } from './fleet';
import { prngFor } from './prng';

export interface SimulatedDevice {
  deviceId: string;
  type: DeviceType;
  profile: DeviceProfile;
  /** Sampling offset inside the period, so devices do not all report on the same millisecond. */
  offset: number;
}

/** Offsets step by a prime number of milliseconds, so they spread over the period without lining up. */
const OFFSET_STEP_MS = 137;

/**
 * The first `count` devices of the seed's fleet (`fleetDevices`), each with its own profile; device i samples at
 * (i × 137 ms) mod `periodMs` into each period.
 */
export function simulatedDevices(count: number, seed: number, periodMs: number): SimulatedDevice[] {
  return fleetDevices(count, seed).map((d, i) => ({
    deviceId: d.deviceId,
    type: d.tags.type,
    profile: deviceProfile(d.tags.type, prngFor(seed, `profile:${d.deviceId}`)),
    offset: (i * OFFSET_STEP_MS) % periodMs,
  }));
}
