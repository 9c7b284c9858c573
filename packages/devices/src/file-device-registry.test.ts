import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDeviceRegistry } from './file-device-registry';
import { describeDeviceRegistryConformance } from './test-support/device-registry-conformance';

describeDeviceRegistryConformance('FileDeviceRegistry', async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'devices-'));
  const path = join(dir, 'devices.json');
  return {
    registry: await FileDeviceRegistry.load(path, { clock }),
    storedText: async () => readFileSync(path, 'utf8'),
    reopen: () => FileDeviceRegistry.load(path, { clock }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
});

describe('FileDeviceRegistry', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'devices-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('starts empty when the file does not exist yet', async () => {
    const registry = await FileDeviceRegistry.load(join(dir, 'none.json'));
    expect(await registry.list()).toEqual([]);
  });

  it('refuses a corrupt file instead of starting with no devices', async () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{"devices": {"dev-1": {"tags": 3}}}');
    await expect(FileDeviceRegistry.load(path)).rejects.toMatchObject({ code: 'corrupt_record' });
    writeFileSync(path, 'not json');
    await expect(FileDeviceRegistry.load(path)).rejects.toMatchObject({ code: 'corrupt_registry' });
  });
});
