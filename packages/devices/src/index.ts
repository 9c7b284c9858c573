// Public surface of @lambda-iot/devices.
export type { Device, DeviceRegistration, DeviceRegistry, DeviceTags } from './device-registry';
export { DeviceRegistryError } from './device-registry-error';
export { hashToken, verifyTokenHash } from './token-hash';
export type { DeviceRecord } from './device-record';
export { RedisDeviceRegistry } from './redis-device-registry';
export type { RedisDeviceRegistryOptions } from './redis-device-registry';
export { FileDeviceRegistry } from './file-device-registry';
export type { DeviceFile } from './file-device-registry';
export { deviceReadingsTopic } from './broker-credentials';
export type { BrokerCredentials, DeviceCredential } from './broker-credentials';
export { BrokerCredentialsError } from './broker-credentials-error';
export type { MqttLogin } from './mqtt-login';
export { MosquittoDynsecCredentials, deviceRoleOf } from './mosquitto-dynsec-credentials';
export type { MosquittoDynsecCredentialsOptions } from './mosquitto-dynsec-credentials';
export { ProvisionedDeviceRegistry } from './provisioned-device-registry';
