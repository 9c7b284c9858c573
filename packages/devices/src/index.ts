// Public surface of @lambda-iot/devices.
export type { Device, DeviceRegistry, DeviceTags } from './device-registry';
