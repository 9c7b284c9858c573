// The stored form of a device, shared by every registry implementation.
import { isValidId, MAX_DEVICE_ID_LENGTH } from '@lambda-iot/core';
import type { Device, DeviceTags } from './device-registry';
import { DeviceRegistryError } from './device-registry-error';
import { hashToken } from './token-hash';

export interface DeviceRecord {
  tags: DeviceTags;
  registeredAt: number;
  /** Absent for a device registered without a token: it exists (tags resolve) but cannot authenticate. */
  tokenHash?: string;
}

export function assertDeviceId(deviceId: string): void {
  if (!isValidId(deviceId, MAX_DEVICE_ID_LENGTH)) {
    throw new DeviceRegistryError(`not a valid device id: ${JSON.stringify(deviceId).slice(0, 140)}`, {
      code: 'invalid_device_id',
      retriable: false,
    });
  }
}

/** The record after registering: tags replaced, a new token hashed, an existing hash and registeredAt kept. */
export function nextRecord(
  previous: DeviceRecord | undefined,
  tags: DeviceTags,
  token: string | undefined,
  now: number,
): DeviceRecord {
  const record: DeviceRecord = { tags: { ...tags }, registeredAt: previous?.registeredAt ?? now };
  const tokenHash = token !== undefined ? hashToken(token) : previous?.tokenHash;
  if (tokenHash !== undefined) record.tokenHash = tokenHash;
  return record;
}

export function toDevice(deviceId: string, record: DeviceRecord): Device {
  return { deviceId, tags: { ...record.tags }, registeredAt: record.registeredAt };
}

/** Parses one stored record; anything else is a corrupt store, reported rather than guessed at. */
export function parseRecord(deviceId: string, raw: unknown): DeviceRecord {
  const r = raw as Partial<DeviceRecord> | null;
  const tagsOk =
    typeof r?.tags === 'object' &&
    r.tags !== null &&
    Object.values(r.tags).every((v) => typeof v === 'string');
  if (
    !r ||
    !tagsOk ||
    typeof r.registeredAt !== 'number' ||
    (r.tokenHash !== undefined && typeof r.tokenHash !== 'string')
  ) {
    throw new DeviceRegistryError(`stored record of ${deviceId} is not a device record`, {
      code: 'corrupt_record',
      retriable: false,
    });
  }
  const record: DeviceRecord = { tags: { ...r.tags }, registeredAt: r.registeredAt };
  if (r.tokenHash !== undefined) record.tokenHash = r.tokenHash;
  return record;
}
