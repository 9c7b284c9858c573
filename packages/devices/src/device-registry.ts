// The device registry contract: which devices exist, their tags, and how their tokens are checked.
export type DeviceTags = Readonly<Record<string, string>>;

export interface Device {
  deviceId: string;
  /** Fleet dimensions analysts group by, e.g. `{ site: 'berlin', type: 'pump' }`. */
  tags: DeviceTags;
  /** Epoch ms the device was registered. */
  registeredAt: number;
}

/** What registering a device says: its id, its tags, and optionally a new token (stored only hashed). */
export interface DeviceRegistration {
  deviceId: string;
  tags: DeviceTags;
  token?: string;
}

export interface DeviceRegistry {
  /** Registers or updates a device; the token is stored only as a salted hash. */
  register(device: DeviceRegistration): Promise<void>;
  /** Registers many devices at once, each as `register` would (one round trip or one write where possible). */
  registerMany(devices: ReadonlyArray<DeviceRegistration>): Promise<void>;
  get(deviceId: string): Promise<Device | undefined>;
  list(): Promise<Device[]>;
  /** True when the device exists and `token` matches its stored hash (constant-time comparison). */
  verifyToken(deviceId: string, token: string): Promise<boolean>;
  remove(deviceId: string): Promise<void>;
}
