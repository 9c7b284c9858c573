// A device registry that also gives every device registered with a token its MQTT broker login.
import type { BrokerCredentials } from './broker-credentials';
import type { Device, DeviceRegistration, DeviceRegistry } from './device-registry';

/**
 * Wraps a registry: registering with a token writes the registry first, then the broker login (username =
 * deviceId, password = the same token), so a failure half way leaves a device that HTTP accepts and MQTT does
 * not, never the reverse; registering again repairs it. Removal revokes the broker login first for the same
 * reason. Reads go to the registry alone. Neither the registry nor the credentials are closed here.
 */
export class ProvisionedDeviceRegistry implements DeviceRegistry {
  constructor(
    private readonly registry: DeviceRegistry,
    private readonly credentials: BrokerCredentials,
  ) {}

  async register(device: DeviceRegistration): Promise<void> {
    await this.registerMany([device]);
  }

  async registerMany(devices: ReadonlyArray<DeviceRegistration>): Promise<void> {
    await this.registry.registerMany(devices);
    const logins = devices.flatMap((d) =>
      d.token === undefined ? [] : [{ deviceId: d.deviceId, token: d.token }],
    );
    if (logins.length > 0) await this.credentials.upsertDevices(logins);
  }

  get(deviceId: string): Promise<Device | undefined> {
    return this.registry.get(deviceId);
  }

  list(): Promise<Device[]> {
    return this.registry.list();
  }

  verifyToken(deviceId: string, token: string): Promise<boolean> {
    return this.registry.verifyToken(deviceId, token);
  }

  async remove(deviceId: string): Promise<void> {
    await this.credentials.removeDevices([deviceId]);
    await this.registry.remove(deviceId);
  }
}
