// What the MQTT broker must know about devices: one login per device, allowed to publish only to its own topic.
/** A device's broker login: username = deviceId, password = the device's token (the same one HTTP checks). */
export interface DeviceCredential {
  deviceId: string;
  token: string;
}

export interface BrokerCredentials {
  /**
   * Creates each device's login, or changes its password if it exists (idempotent), with the right to publish
   * to `devices/<deviceId>/readings` and nothing else. A changed password disconnects sessions of the old one.
   */
  upsertDevices(devices: ReadonlyArray<DeviceCredential>): Promise<void>;
  /** Deletes the devices' logins; a device the broker does not know is fine. */
  removeDevices(deviceIds: ReadonlyArray<string>): Promise<void>;
  /** Releases what the implementation opened itself; idempotent. */
  close(): Promise<void>;
}

/** Where a device publishes its readings, and the only topic its broker login may publish to. */
export function deviceReadingsTopic(deviceId: string): string {
  return `devices/${deviceId}/readings`;
}
