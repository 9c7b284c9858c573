// The device registry as one JSON file, loaded at start and rewritten atomically on change: for small or offline deployments.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { systemClock, type Clock } from '@lambda-iot/core';
import type { Device, DeviceRegistration, DeviceRegistry } from './device-registry';
import { DeviceRegistryError } from './device-registry-error';
import { assertDeviceId, nextRecord, parseRecord, toDevice, type DeviceRecord } from './device-record';
import { verifyTokenHash } from './token-hash';

/** The file: `{ "devices": { "<deviceId>": { "tags": {…}, "registeredAt": 0, "tokenHash": "sha256$…" } } }`. */
export interface DeviceFile {
  devices: Record<string, DeviceRecord>;
}

export class FileDeviceRegistry implements DeviceRegistry {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly records: Map<string, DeviceRecord>,
    private readonly clock: Clock,
  ) {}

  /** Loads `path`; a missing file is an empty registry (created on the first change). */
  static async load(path: string, options: { clock?: Clock } = {}): Promise<FileDeviceRegistry> {
    let text: string | undefined;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new DeviceRegistryError(`reading ${path} failed`, {
          code: 'registry_unavailable',
          retriable: true,
          cause: err,
        });
      }
    }
    const records = new Map<string, DeviceRecord>();
    if (text !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new DeviceRegistryError(`${path} is not JSON`, {
          code: 'corrupt_registry',
          retriable: false,
          cause: err,
        });
      }
      const devices = (parsed as Partial<DeviceFile> | null)?.devices;
      if (typeof devices !== 'object' || devices === null) {
        throw new DeviceRegistryError(`${path} has no "devices" object`, {
          code: 'corrupt_registry',
          retriable: false,
        });
      }
      for (const [id, raw] of Object.entries(devices)) {
        assertDeviceId(id);
        records.set(id, parseRecord(id, raw));
      }
    }
    return new FileDeviceRegistry(path, records, options.clock ?? systemClock);
  }

  async register(device: DeviceRegistration): Promise<void> {
    await this.registerMany([device]);
  }

  /** All devices are checked before any is changed, then the file is rewritten once. */
  async registerMany(devices: ReadonlyArray<DeviceRegistration>): Promise<void> {
    if (devices.length === 0) return;
    for (const d of devices) assertDeviceId(d.deviceId);
    const now = this.clock.now();
    for (const d of devices) {
      this.records.set(d.deviceId, nextRecord(this.records.get(d.deviceId), d.tags, d.token, now));
    }
    await this.save();
  }

  async get(deviceId: string): Promise<Device | undefined> {
    const record = this.records.get(deviceId);
    return record && toDevice(deviceId, record);
  }

  async list(): Promise<Device[]> {
    return [...this.records.entries()]
      .map(([id, r]) => toDevice(id, r))
      .sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
  }

  async verifyToken(deviceId: string, token: string): Promise<boolean> {
    const hash = this.records.get(deviceId)?.tokenHash;
    return hash !== undefined && verifyTokenHash(token, hash);
  }

  async remove(deviceId: string): Promise<void> {
    if (this.records.delete(deviceId)) await this.save();
  }

  // Writes are chained so two quick changes cannot interleave; each writes a temp file and renames it over.
  private save(): Promise<void> {
    const snapshot: DeviceFile = { devices: Object.fromEntries(this.records) };
    const text = `${JSON.stringify(snapshot, null, 2)}\n`;
    const tmp = `${this.path}.${process.pid}.tmp`;
    this.writing = this.writing
      .catch(() => undefined)
      .then(async () => {
        try {
          await writeFile(tmp, text, { mode: 0o600 });
          await rename(tmp, this.path);
        } catch (err) {
          throw new DeviceRegistryError(`writing ${this.path} failed`, {
            code: 'registry_unavailable',
            retriable: true,
            cause: err,
          });
        }
      });
    return this.writing;
  }
}
