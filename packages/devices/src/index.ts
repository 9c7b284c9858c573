// Public surface of @lambda-iot/devices.
export type { Device, DeviceRegistry, DeviceTags } from './device-registry';
export { DeviceRegistryError } from './device-registry-error';
export { hashToken, verifyTokenHash } from './token-hash';
export type { DeviceRecord } from './device-record';
export { RedisDeviceRegistry } from './redis-device-registry';
export type { RedisDeviceRegistryOptions } from './redis-device-registry';
export { FileDeviceRegistry } from './file-device-registry';
export type { DeviceFile } from './file-device-registry';
