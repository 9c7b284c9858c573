import { connectAsync } from 'mqtt';
import { createRedis } from '@lambda-iot/connections';
import { RedisDeviceRegistry } from '@lambda-iot/devices';
import { deleteKeys, testMqttConfig, testRedisConfig, uniqueName } from '@lambda-iot/testkit';
import { runCli } from './test-support/run-cli';

/** What the broker says to a device logging in and publishing one QoS 1 reading to `topic`. */
async function brokerAnswer(deviceId: string, token: string, topic: string): Promise<string> {
  let client;
  try {
    client = await connectAsync(
      testMqttConfig().url,
      {
        protocolVersion: 5,
        clientId: uniqueName('cli_probe'),
        username: deviceId,
        password: token,
        reconnectPeriod: 0,
        connectTimeout: 5_000,
      },
      false,
    );
  } catch (err) {
    return `login refused (${String((err as { code?: unknown }).code)})`;
  }
  try {
    await client.publishAsync(topic, '{}', { qos: 1 });
    return 'published';
  } catch (err) {
    return `publish refused (${String((err as { code?: unknown }).code)})`;
  } finally {
    await client.endAsync(true);
  }
}

describe('lambda-iot devices add|list|remove against the real registry and broker', () => {
  const prefix = `${uniqueName('liot_cli_dev')}:`;
  const redis = createRedis(testRedisConfig(prefix));
  const registry = new RedisDeviceRegistry({ redis, keyPrefix: prefix });
  const mqtt = testMqttConfig();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    REDIS_PORT: String(testRedisConfig(prefix).port),
    REDIS_KEY_PREFIX: prefix,
    MQTT_URL: mqtt.url,
    MQTT_ADMIN_USERNAME: mqtt.admin.username,
    MQTT_ADMIN_PASSWORD: mqtt.admin.password,
    LOG_LEVEL: 'warn',
  };
  const deviceId = uniqueName('cli-dev');
  const token = `token-${uniqueName('t')}`;
  const ownTopic = `devices/${deviceId}/readings`;

  afterAll(async () => {
    await runCli(['devices', 'remove', deviceId], env);
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('registers a device whose token the registry verifies and whose login the broker accepts', async () => {
    const added = await runCli(['devices', 'add', deviceId, '--token', token, '--tag', 'site=oslo'], env);
    expect(added).toMatchObject({ code: 0, stdout: `registered ${deviceId}\n` });

    expect(await registry.verifyToken(deviceId, token)).toBe(true);
    expect((await registry.get(deviceId))?.tags).toEqual({ site: 'oslo' });
    expect(await brokerAnswer(deviceId, token, ownTopic)).toBe('published');
    expect(await brokerAnswer(deviceId, token, 'devices/someone-else/readings')).toBe(
      'publish refused (135)',
    );
    expect(await brokerAnswer(deviceId, 'not-the-token-at-all', ownTopic)).toMatch(/^login refused/);
  });

  it('lists the device with its tags', async () => {
    const listed = await runCli(['devices', 'list', '--json'], env);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ deviceId, tags: { site: 'oslo' } }),
    ]);
  });

  it('re-registering with a generated token replaces the old one on both sides', async () => {
    const again = await runCli(['devices', 'add', deviceId, '--generate-token', '--tag', 'site=oslo'], env);
    expect(again.code).toBe(0);
    const fresh = /token: (\S+)/.exec(again.stdout)?.[1] ?? '';
    expect(fresh.length).toBeGreaterThanOrEqual(32);

    expect(await registry.verifyToken(deviceId, token)).toBe(false);
    expect(await registry.verifyToken(deviceId, fresh)).toBe(true);
    expect(await brokerAnswer(deviceId, token, ownTopic)).toMatch(/^login refused/);
    expect(await brokerAnswer(deviceId, fresh, ownTopic)).toBe('published');
  });

  it('removing a device revokes its broker login and its registry entry', async () => {
    const listed = JSON.parse((await runCli(['devices', 'list', '--json'], env)).stdout) as unknown[];
    expect(listed).toHaveLength(1);
    const removed = await runCli(['devices', 'remove', deviceId], env);
    expect(removed).toMatchObject({ code: 0, stdout: `removed ${deviceId}\n` });

    expect(await registry.get(deviceId)).toBeUndefined();
    expect(await brokerAnswer(deviceId, token, ownTopic)).toMatch(/^login refused/);
  });

  it('answers a usage error, not a crash, for a short token or a malformed tag', async () => {
    const short = await runCli(['devices', 'add', deviceId, '--token', 'short'], env);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 16 characters/);
    const tag = await runCli(['devices', 'add', deviceId, '--generate-token', '--tag', 'site'], env);
    expect(tag.code).toBe(2);
    expect(tag.stderr).toMatch(/--tag expects key=value/);
  });
});
