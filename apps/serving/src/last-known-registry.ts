// The device list as last read: devices change rarely, so a registry outage answers with the last list read.
import type { Device, DeviceRegistry } from '@lambda-iot/devices';
import { ViewUnavailableError } from '@lambda-iot/views';

export class LastKnownRegistry implements Pick<DeviceRegistry, 'list'> {
  private last: Device[] | undefined;

  constructor(
    private readonly registry: Pick<DeviceRegistry, 'list'>,
    private readonly onStale: (err: unknown) => void = () => undefined,
  ) {}

  /** The registry's devices, or the last list read while it is down; 503 (retriable) before any read. */
  async list(): Promise<Device[]> {
    try {
      const devices = await this.registry.list();
      this.last = devices;
      return devices.map((d) => ({ ...d, tags: { ...d.tags } }));
    } catch (err) {
      if (this.last === undefined) throw new ViewUnavailableError('the device registry', err);
      this.onStale(err);
      return this.last.map((d) => ({ ...d, tags: { ...d.tags } }));
    }
  }
}
