// The simulated fleet: device ids, their registry tags, and the per-device traits faults hang on (clock skew, an offline episode).
import { prngFor } from './prng';

export const SITES = ['berlin', 'paris', 'oslo', 'madrid', 'warsaw', 'lisbon'] as const;
export const DEVICE_TYPES = ['pump', 'freezer', 'hvac', 'boiler', 'compressor'] as const;

export type DeviceType = (typeof DEVICE_TYPES)[number];

/** A device as the registry sees it. */
export interface FleetDevice {
  deviceId: string;
  tags: { site: string; type: DeviceType };
}

/** `dev-0001` … : zero-padded to at least four digits so ids sort in fleet order. */
export function deviceIdOf(index: number): string {
  return `dev-${String(index + 1).padStart(4, '0')}`;
}

/**
 * The fleet of `count` devices for a seed. Tags depend only on (seed, index), so a fleet of 50 is the first
 * 50 devices of a fleet of 500 with the same seed.
 */
export function fleetDevices(count: number, seed: number): FleetDevice[] {
  const devices: FleetDevice[] = [];
  for (let i = 0; i < count; i++) {
    const deviceId = deviceIdOf(i);
    const rng = prngFor(seed, `tags:${deviceId}`);
    devices.push({ deviceId, tags: { site: rng.pick(SITES), type: rng.pick(DEVICE_TYPES) } });
  }
  return devices;
}
