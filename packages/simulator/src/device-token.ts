// Device tokens derived from the seed, so a simulator run and the registry it seeded agree without sharing a file.
import { createHmac } from 'node:crypto';

/** HMAC-SHA256(seed, deviceId) in base64url: 256 bits, stable for a seed, different for every device. */
export function deviceToken(seed: number, deviceId: string): string {
  return createHmac('sha256', `lambda-iot-simulator:${seed}`).update(deviceId).digest('base64url');
}
