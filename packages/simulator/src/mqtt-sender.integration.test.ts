import { connectAsync, type MqttClient } from 'mqtt';
import { MosquittoDynsecCredentials } from '@lambda-iot/devices';
import { eventually, testMqttConfig, uniqueName } from '@lambda-iot/testkit';
import { MqttSender, readingsTopicOf } from './mqtt-sender';
import type { TrafficItem } from './traffic-generator';

const { url, admin, gateway } = testMqttConfig();
// Unique ids: the broker is shared, and the fleet's dev-0001… logins belong to whoever ran the simulator last.
const fleet = Array.from({ length: 3 }, () => uniqueName('simdev').replace(/_/g, '-'));
const tokenOf = (deviceId: string): string => `token-of-${deviceId}`;

let credentials: MosquittoDynsecCredentials;
let subscriber: MqttClient;
const received: Array<{ topic: string; payload: string }> = [];

function envelope(deviceId: string, seq: number): TrafficItem {
  return {
    kind: 'envelope',
    envelope: { deviceId, readings: [{ metric: 'temperature', ts: Date.now(), value: seq, seq }] },
    sendAt: Date.now(),
  };
}

beforeAll(async () => {
  credentials = await MosquittoDynsecCredentials.connect(url, admin);
  await credentials.upsertDevices(fleet.map((deviceId) => ({ deviceId, token: tokenOf(deviceId) })));
  subscriber = await connectAsync(url, { ...gateway, clientId: uniqueName('sim-sub') });
  subscriber.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await subscriber.subscribeAsync('devices/+/readings', { qos: 1 });
});

afterAll(async () => {
  await subscriber.endAsync();
  await credentials.removeDevices(fleet);
  await credentials.close();
});

describe('MqttSender on the stack broker', () => {
  it('publishes each device’s envelopes on its own login and topic, in order', async () => {
    const sender = new MqttSender({ url, tokenFor: tokenOf, maxInFlight: 4 });
    const items = [1, 2, 3].flatMap((seq) => fleet.map((id) => envelope(id, seq)));
    items.push({
      kind: 'malformed',
      deviceId: fleet[0]!,
      bytes: Buffer.from('{"deviceId":'),
      reason: 'truncated_json',
      expected: 'malformed_json',
      sendAt: Date.now(),
    });
    for (const item of items) await sender.send(item);
    await sender.close();
    await sender.close();
    expect(sender.report).toMatchObject({ envelopes: 9, readings: 9, malformed: 1 });
    expect(sender.connectionsOpened).toBe(3);
    await eventually(() =>
      expect(received.filter((m) => fleet.some((id) => m.topic.includes(id)))).toHaveLength(10),
    );
    for (const id of fleet) {
      const seqs = received
        .filter((m) => m.topic === readingsTopicOf(id) && m.payload.startsWith('{"deviceId":"'))
        .map((m) => JSON.parse(m.payload).readings[0].seq);
      expect(seqs).toEqual([1, 2, 3]);
    }
  });

  it('fails the run with mqtt_refused when a device’s token is not the one the broker knows', async () => {
    const sender = new MqttSender({ url, tokenFor: () => 'wrong-token' });
    await sender.send(envelope(fleet[1]!, 1));
    await expect(sender.flush()).rejects.toMatchObject({ code: 'mqtt_refused', retriable: false });
    await sender.close();
    expect(sender.report.envelopes).toBe(0);
  });

  it('fails with mqtt_unavailable, retriable, when the broker cannot be reached', async () => {
    const sender = new MqttSender({
      url: 'mqtt://127.0.0.1:1',
      tokenFor: tokenOf,
      clientOptions: { connectTimeout: 1_000 },
    });
    await sender.send(envelope(fleet[2]!, 1));
    await expect(sender.close()).rejects.toMatchObject({ code: 'mqtt_unavailable', retriable: true });
  });
});
