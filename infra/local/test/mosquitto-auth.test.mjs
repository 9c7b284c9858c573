// The stack's own Mosquitto authenticates every client: anonymous and wrong logins are refused, accounts are least-privilege.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, describe, it } from 'node:test';
import mqtt from 'mqtt';
import { host, mqttAccounts, ports } from '../lib/config.mjs';

const url = `mqtt://${host}:${ports.mqtt}`;
const opened = [];

// MQTT 5, so the broker states its reasons: CONNACK, SUBACK and PUBACK carry reason codes.
async function connect(login) {
  const client = await mqtt.connectAsync(
    url,
    {
      protocolVersion: 5,
      clientId: `infra-test-${crypto.randomBytes(4).toString('hex')}`,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...login,
    },
    false,
  );
  opened.push(client);
  return client;
}

/** The CONNACK reason code of a refused connection; fails the test if the broker lets the client in. */
async function refusal(login) {
  try {
    await connect(login);
  } catch (err) {
    return err.code;
  }
  assert.fail('the broker accepted the connection');
}

const NOT_AUTHORIZED = 135;
const BAD_USERNAME_OR_PASSWORD = 134;

after(async () => {
  await Promise.all(opened.map((c) => c.endAsync().catch(() => {})));
});

describe(`the stack's Mosquitto on ${host}:${ports.mqtt}`, () => {
  it('refuses anonymous clients', async () => {
    assert.ok([NOT_AUTHORIZED, BAD_USERNAME_OR_PASSWORD].includes(await refusal({})));
  });

  it('refuses a wrong password and an unknown user', async () => {
    const { username } = mqttAccounts.gateway;
    // Mosquitto 2.0's dynamic-security plugin answers "not authorized" where the spec suggests 134.
    const refused = [NOT_AUTHORIZED, BAD_USERNAME_OR_PASSWORD];
    assert.ok(refused.includes(await refusal({ username, password: 'not-the-password' })));
    const stranger = `nobody-${crypto.randomBytes(4).toString('hex')}`;
    assert.ok(refused.includes(await refusal({ username: stranger, password: 'x' })));
  });

  it('lets the gateway subscribe to device readings (shared or not) and nothing else, and never publish them', async () => {
    const gateway = await connect(mqttAccounts.gateway);
    const grants = async (filters) => {
      try {
        return (await gateway.subscribeAsync(filters, { qos: 1 })).map((g) => g.qos);
      } catch (err) {
        // mqtt.js rejects a SUBACK with any refusal in it; the packet still says which filter got what.
        if (!err.packet?.granted) throw err;
        return err.packet.granted;
      }
    };
    assert.deepEqual(
      await grants(['$share/infra-test/devices/+/readings', 'devices/+/readings', '#', 'other/topic']),
      [1, 1, NOT_AUTHORIZED, NOT_AUTHORIZED],
    );
    await assert.rejects(
      gateway.publishAsync('devices/some-device/readings', '{}', { qos: 1 }),
      (err) => err.code === NOT_AUTHORIZED,
    );
  });

  it('lets the admin account in to provision devices', async () => {
    const admin = await connect(mqttAccounts.admin);
    const [grant] = await admin.subscribeAsync('$CONTROL/dynamic-security/v1/response', { qos: 1 });
    assert.equal(grant.qos, 1);
  });
});
