import type { MqttClient } from 'mqtt';
import { eventually, testMqttConfig, uniqueName } from '@lambda-iot/testkit';
import { deviceReadingsTopic } from './broker-credentials';
import { MosquittoDynsecCredentials } from './mosquitto-dynsec-credentials';
import { BAD_LOGIN, MqttProbe, NOT_AUTHORIZED } from './test-support/mqtt-probe';

const REFUSED = [NOT_AUTHORIZED, BAD_LOGIN];
const { url, admin, gateway } = testMqttConfig();

let credentials: MosquittoDynsecCredentials;
let probe: MqttProbe;
const provisioned = new Set<string>();

const newDeviceId = (): string => uniqueName('dev').replace(/_/g, '-');

async function provision(deviceId: string, token: string): Promise<void> {
  provisioned.add(deviceId);
  await credentials.upsertDevices([{ deviceId, token }]);
}

/** A gateway-account subscriber on every device's readings, collecting what arrives. */
async function gatewayTap(): Promise<{ client: MqttClient; got: Array<{ topic: string; payload: string }> }> {
  const client = await probe.connect(gateway);
  const got: Array<{ topic: string; payload: string }> = [];
  client.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  await client.subscribeAsync('devices/+/readings', { qos: 1 });
  return { client, got };
}

beforeAll(async () => {
  credentials = await MosquittoDynsecCredentials.connect(url, admin);
});

beforeEach(() => {
  probe = new MqttProbe();
});

afterEach(() => probe.close());

afterAll(async () => {
  await credentials.removeDevices([...provisioned]);
  await credentials.close();
});

describe('MosquittoDynsecCredentials on the stack broker', () => {
  it('gives a device a login that may publish to its own topic and to no other device’s', async () => {
    const a = newDeviceId();
    const b = newDeviceId();
    await provision(a, 'token-a');
    await provision(b, 'token-b');
    const tap = await gatewayTap();
    const device = await probe.connect({ username: a, password: 'token-a' });

    expect(await probe.publishOutcome(device, deviceReadingsTopic(a), 'first')).toBe('accepted');
    expect(await probe.publishOutcome(device, deviceReadingsTopic(b), 'forged')).toBe(NOT_AUTHORIZED);
    expect(await probe.publishOutcome(device, 'other/topic', 'elsewhere')).toBe(NOT_AUTHORIZED);
    // The broker keeps one client's messages in order: once this one arrived, a forged one would have too.
    expect(await probe.publishOutcome(device, deviceReadingsTopic(a), 'marker')).toBe('accepted');
    await eventually(() => expect(tap.got.map((m) => m.payload)).toContain('marker'));
    expect(tap.got).toEqual([
      { topic: deviceReadingsTopic(a), payload: 'first' },
      { topic: deviceReadingsTopic(a), payload: 'marker' },
    ]);
  });

  it('does not let a device subscribe to readings, its own or others’', async () => {
    const a = newDeviceId();
    await provision(a, 'token-a');
    const device = await probe.connect({ username: a, password: 'token-a' });
    await expect(device.subscribeAsync(deviceReadingsTopic(a), { qos: 1 })).rejects.toMatchObject({
      packet: { granted: [NOT_AUTHORIZED] },
    });
  });

  it('refuses anonymous clients, unknown devices and wrong tokens at CONNACK', async () => {
    const a = newDeviceId();
    await provision(a, 'right-token');
    expect(REFUSED).toContain(await probe.loginOutcome({}));
    expect(REFUSED).toContain(await probe.loginOutcome({ username: a, password: 'wrong-token' }));
    expect(REFUSED).toContain(await probe.loginOutcome({ username: a }));
    expect(REFUSED).toContain(await probe.loginOutcome({ username: newDeviceId(), password: 'right-token' }));
    expect(await probe.loginOutcome({ username: a, password: 'right-token' })).toBe('accepted');
  });

  it('changes the password when a device is provisioned again, and closes sessions of the old token', async () => {
    const a = newDeviceId();
    await provision(a, 'old-token');
    await provision(a, 'old-token');
    expect(await probe.loginOutcome({ username: a, password: 'old-token' })).toBe('accepted');
    const oldSession = await probe.connect({ username: a, password: 'old-token' });
    const closed = new Promise<void>((resolve) => oldSession.once('close', () => resolve()));

    await provision(a, 'new-token');
    await closed;
    expect(REFUSED).toContain(await probe.loginOutcome({ username: a, password: 'old-token' }));
    expect(await probe.loginOutcome({ username: a, password: 'new-token' })).toBe('accepted');
    const device = await probe.connect({ username: a, password: 'new-token' });
    expect(await probe.publishOutcome(device, deviceReadingsTopic(a), 'after')).toBe('accepted');
  });

  it('forgets removed devices, and removing an unknown device is fine', async () => {
    const a = newDeviceId();
    await provision(a, 'token-a');
    await credentials.removeDevices([a, newDeviceId()]);
    expect(REFUSED).toContain(await probe.loginOutcome({ username: a, password: 'token-a' }));
    await credentials.removeDevices([a]);
    // Provisioned again after removal, the device gets its login and topic back.
    await provision(a, 'token-a2');
    const device = await probe.connect({ username: a, password: 'token-a2' });
    expect(await probe.publishOutcome(device, deviceReadingsTopic(a), 'back')).toBe('accepted');
  });

  it('provisions a fleet in several control messages, each device with its own token', async () => {
    const fleet = Array.from({ length: 45 }, (_, i) => ({ deviceId: newDeviceId(), token: `fleet-${i}` }));
    fleet.forEach((d) => provisioned.add(d.deviceId));
    const batched = new MosquittoDynsecCredentials({
      client: await probe.connect(admin),
      batchSize: 20,
    });
    try {
      await batched.upsertDevices(fleet);
      await batched.upsertDevices(fleet.slice(0, 25).map((d) => ({ ...d, token: `${d.token}-v2` })));
    } finally {
      await batched.close();
    }
    for (const [i, d] of fleet.entries()) {
      const token = i < 25 ? `${d.token}-v2` : d.token;
      expect({ i, outcome: await probe.loginOutcome({ username: d.deviceId, password: token }) }).toEqual({
        i,
        outcome: 'accepted',
      });
    }
    expect(REFUSED).toContain(
      await probe.loginOutcome({ username: fleet[3]!.deviceId, password: 'fleet-4' }),
    );
  });

  it('never lets a device registration change or delete the gateway’s or the admin’s login', async () => {
    for (const account of [gateway, admin]) {
      await expect(
        credentials.upsertDevices([{ deviceId: account.username, token: 'hijack' }]),
      ).rejects.toMatchObject({ code: 'not_a_device_account', retriable: false });
      await expect(credentials.removeDevices([account.username])).rejects.toMatchObject({
        code: 'not_a_device_account',
      });
      expect(await probe.loginOutcome(account)).toBe('accepted');
      expect(REFUSED).toContain(await probe.loginOutcome({ username: account.username, password: 'hijack' }));
    }
  });

  it('refuses bad input before it reaches the broker', async () => {
    await expect(credentials.upsertDevices([{ deviceId: 'bad/id', token: 't' }])).rejects.toMatchObject({
      code: 'invalid_device_id',
    });
    await expect(credentials.upsertDevices([{ deviceId: 'devices/+', token: 't' }])).rejects.toMatchObject({
      code: 'invalid_device_id',
    });
    await expect(credentials.upsertDevices([{ deviceId: newDeviceId(), token: '' }])).rejects.toMatchObject({
      code: 'invalid_token',
    });
    await expect(credentials.removeDevices(['#'])).rejects.toMatchObject({ code: 'invalid_device_id' });
    await credentials.upsertDevices([]);
  });

  it('keeps working when junk arrives on the control response topic', async () => {
    const other = await probe.connect(admin);
    const responses = '$CONTROL/dynamic-security/v1/response';
    await other.publishAsync(responses, 'not json', { qos: 1 });
    await other.publishAsync(responses, JSON.stringify({ responses: [null, 7, { correlationData: 3 }] }), {
      qos: 1,
    });
    await other.publishAsync(responses, JSON.stringify({ responses: 'nope' }), { qos: 1 });
    const a = newDeviceId();
    await provision(a, 'token-a');
    expect(await probe.loginOutcome({ username: a, password: 'token-a' })).toBe('accepted');
  });

  it('reports a wrong admin login as refused and an unreachable broker as retriable', async () => {
    await expect(
      MosquittoDynsecCredentials.connect(url, { username: admin.username, password: 'wrong' }),
    ).rejects.toMatchObject({ code: 'broker_refused', retriable: false });
    await expect(
      MosquittoDynsecCredentials.connect('mqtt://127.0.0.1:1', admin, {
        clientOptions: { connectTimeout: 1_000 },
      }),
    ).rejects.toMatchObject({ code: 'broker_unavailable', retriable: true });
  });

  it('answers a call after close with a typed error, and closes only once', async () => {
    const own = await MosquittoDynsecCredentials.connect(url, admin);
    await own.close();
    await own.close();
    await expect(own.upsertDevices([{ deviceId: newDeviceId(), token: 't' }])).rejects.toMatchObject({
      code: 'broker_unavailable',
    });
  });
});
