import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testMqttConfig, uniqueName } from '@lambda-iot/testkit';
import { deviceReadingsTopic } from './broker-credentials';
import { FileDeviceRegistry } from './file-device-registry';
import { MosquittoDynsecCredentials } from './mosquitto-dynsec-credentials';
import { ProvisionedDeviceRegistry } from './provisioned-device-registry';
import { BAD_LOGIN, MqttProbe, NOT_AUTHORIZED } from './test-support/mqtt-probe';

const REFUSED = [NOT_AUTHORIZED, BAD_LOGIN];
const newDeviceId = (): string => uniqueName('dev').replace(/_/g, '-');

describe('ProvisionedDeviceRegistry (file registry + the stack broker)', () => {
  let dir: string;
  let file: FileDeviceRegistry;
  let credentials: MosquittoDynsecCredentials;
  let registry: ProvisionedDeviceRegistry;
  let probe: MqttProbe;
  const ids: string[] = [];

  beforeAll(async () => {
    credentials = await MosquittoDynsecCredentials.connect(testMqttConfig().url, testMqttConfig().admin);
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'devices-'));
    file = await FileDeviceRegistry.load(join(dir, 'devices.json'));
    registry = new ProvisionedDeviceRegistry(file, credentials);
    probe = new MqttProbe();
  });
  afterEach(async () => {
    await probe.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await credentials.removeDevices(ids);
    await credentials.close();
  });

  const fresh = (): string => {
    const id = newDeviceId();
    ids.push(id);
    return id;
  };

  it('registers a device in the registry and on the broker with the same token', async () => {
    const id = fresh();
    await registry.register({ deviceId: id, tags: { site: 'oslo' }, token: 'tok-1' });
    expect(await registry.get(id)).toMatchObject({ deviceId: id, tags: { site: 'oslo' } });
    expect(await registry.verifyToken(id, 'tok-1')).toBe(true);
    const device = await probe.connect({ username: id, password: 'tok-1' });
    expect(await probe.publishOutcome(device, deviceReadingsTopic(id), '{}')).toBe('accepted');
  });

  it('registers a fleet at once, and a new token replaces the old one in both places', async () => {
    const fleet = [fresh(), fresh(), fresh()].map((deviceId, i) => ({ deviceId, tags: {}, token: `t${i}` }));
    await registry.registerMany(fleet);
    expect((await registry.list()).map((d) => d.deviceId)).toEqual(fleet.map((d) => d.deviceId).sort());
    await registry.register({ deviceId: fleet[1]!.deviceId, tags: {}, token: 'rotated' });
    expect(await registry.verifyToken(fleet[1]!.deviceId, 't1')).toBe(false);
    expect(REFUSED).toContain(await probe.loginOutcome({ username: fleet[1]!.deviceId, password: 't1' }));
    expect(await probe.loginOutcome({ username: fleet[1]!.deviceId, password: 'rotated' })).toBe('accepted');
    expect(await probe.loginOutcome({ username: fleet[2]!.deviceId, password: 't2' })).toBe('accepted');
  });

  it('changes only tags when registered without a token, and gives a token-less device no broker login', async () => {
    const id = fresh();
    await registry.register({ deviceId: id, tags: { site: 'oslo' }, token: 'keep' });
    await registry.register({ deviceId: id, tags: { site: 'paris' } });
    expect(await registry.get(id)).toMatchObject({ tags: { site: 'paris' } });
    expect(await probe.loginOutcome({ username: id, password: 'keep' })).toBe('accepted');
    const tokenless = fresh();
    await registry.register({ deviceId: tokenless, tags: {} });
    expect(REFUSED).toContain(await probe.loginOutcome({ username: tokenless, password: '' }));
  });

  it('removes a device from the broker and the registry', async () => {
    const id = fresh();
    await registry.register({ deviceId: id, tags: {}, token: 'gone' });
    await registry.remove(id);
    expect(await registry.get(id)).toBeUndefined();
    expect(REFUSED).toContain(await probe.loginOutcome({ username: id, password: 'gone' }));
  });

  it('leaves the registry unchanged when the id is invalid, and the gateway’s login untouched when it is taken', async () => {
    await expect(registry.register({ deviceId: 'no spaces', tags: {}, token: 't' })).rejects.toMatchObject({
      code: 'invalid_device_id',
    });
    expect(await registry.list()).toEqual([]);
    const { gateway } = testMqttConfig();
    await expect(
      registry.register({ deviceId: gateway.username, tags: {}, token: 'hijack' }),
    ).rejects.toMatchObject({ code: 'not_a_device_account' });
    expect(await probe.loginOutcome(gateway)).toBe('accepted');
  });
});
