// The device registry in one Redis hash, `<prefix>devices`: field = deviceId, value = the JSON device record.
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '@lambda-iot/core';
import type { Device, DeviceRegistration, DeviceRegistry } from './device-registry';
import { DeviceRegistryError } from './device-registry-error';
import { assertDeviceId, nextRecord, parseRecord, toDevice, type DeviceRecord } from './device-record';
import { verifyTokenHash } from './token-hash';

export interface RedisDeviceRegistryOptions {
  redis: Redis;
  /** Prepended to the hash name, e.g. 'liot:'. */
  keyPrefix: string;
  clock?: Clock;
}

export class RedisDeviceRegistry implements DeviceRegistry {
  readonly key: string;
  private readonly clock: Clock;

  constructor(private readonly options: RedisDeviceRegistryOptions) {
    this.key = `${options.keyPrefix}devices`;
    this.clock = options.clock ?? systemClock;
  }

  async register(device: DeviceRegistration): Promise<void> {
    assertDeviceId(device.deviceId);
    const previous = await this.record(device.deviceId);
    const record = nextRecord(previous, device.tags, device.token, this.clock.now());
    await this.call(
      () => this.options.redis.hset(this.key, device.deviceId, JSON.stringify(record)),
      'registering a device',
    );
  }

  /** Registers many devices in one round trip; each gets a token hash when a token is given. */
  async registerMany(devices: ReadonlyArray<DeviceRegistration>): Promise<void> {
    if (devices.length === 0) return;
    for (const d of devices) assertDeviceId(d.deviceId);
    const existing = await this.call(
      () => this.options.redis.hmget(this.key, ...devices.map((d) => d.deviceId)),
      'reading devices',
    );
    const now = this.clock.now();
    const fields: string[] = [];
    devices.forEach((d, i) => {
      const raw = existing[i];
      const previous = raw ? parseRecord(d.deviceId, JSON.parse(raw)) : undefined;
      fields.push(d.deviceId, JSON.stringify(nextRecord(previous, d.tags, d.token, now)));
    });
    await this.call(() => this.options.redis.hset(this.key, ...fields), 'registering devices');
  }

  async get(deviceId: string): Promise<Device | undefined> {
    const record = await this.record(deviceId);
    return record && toDevice(deviceId, record);
  }

  async list(): Promise<Device[]> {
    const all = await this.call(() => this.options.redis.hgetall(this.key), 'listing devices');
    return Object.entries(all)
      .map(([id, raw]) => toDevice(id, parseRecord(id, parseJson(id, raw))))
      .sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
  }

  async verifyToken(deviceId: string, token: string): Promise<boolean> {
    const record = await this.record(deviceId);
    return record?.tokenHash !== undefined && verifyTokenHash(token, record.tokenHash);
  }

  async remove(deviceId: string): Promise<void> {
    await this.call(() => this.options.redis.hdel(this.key, deviceId), 'removing a device');
  }

  private async record(deviceId: string): Promise<DeviceRecord | undefined> {
    const raw = await this.call(() => this.options.redis.hget(this.key, deviceId), 'reading a device');
    return raw === null ? undefined : parseRecord(deviceId, parseJson(deviceId, raw));
  }

  private async call<T>(fn: () => Promise<T>, what: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new DeviceRegistryError(`${what} in Redis failed`, {
        code: 'registry_unavailable',
        retriable: true,
        cause: err,
      });
    }
  }
}

function parseJson(deviceId: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new DeviceRegistryError(`stored record of ${deviceId} is not JSON`, {
      code: 'corrupt_record',
      retriable: false,
      cause: err,
    });
  }
}
