// `lambda-iot devices add|remove|list`: the device registry, with each device's MQTT broker login kept in step.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createRedis } from '@lambda-iot/connections';
import {
  MosquittoDynsecCredentials,
  ProvisionedDeviceRegistry,
  RedisDeviceRegistry,
  type DeviceRegistry,
} from '@lambda-iot/devices';
import { EXIT, UsageError, type Command, type CommandIo } from '../command';
import type { CliConfig } from '../config';

const ADD_USAGE = `Usage: lambda-iot devices add <deviceId> (--token <token> | --generate-token) [--tag key=value]...

Registers a device (or updates its tags and token): the registry stores the token only as a salted hash, and the
MQTT broker gets the login <deviceId>/<token>, allowed to publish to devices/<deviceId>/readings only.
With --generate-token a random token is made and printed once: keep it, it cannot be read back.

Options:
  --token <t>        the device's secret (at least 16 characters)
  --generate-token   make a random 32-byte token and print it
  --tag key=value    a registry tag such as site=berlin or type=pump (repeatable)
  -h, --help         show this help

Environment: REDIS_*, MQTT_URL (mqtt://127.0.0.1:1884), MQTT_ADMIN_USERNAME/PASSWORD, MQTT_PROVISION (true).`;

const REMOVE_USAGE = `Usage: lambda-iot devices remove <deviceId>

Revokes the device's MQTT login, then removes it from the registry.`;

const LIST_USAGE = `Usage: lambda-iot devices list [--json]

Lists the registered devices with their tags.`;

const MIN_TOKEN_LENGTH = 16;

/** The registry, wrapped so every write also reaches the broker unless provisioning is turned off. */
async function openRegistry(
  config: Readonly<CliConfig>,
): Promise<{ registry: DeviceRegistry; close: () => Promise<void> }> {
  const redis = createRedis(config.redis, { connectionName: 'cli', maxRetriesPerRequest: 2 });
  const plain = new RedisDeviceRegistry({ redis, keyPrefix: config.redis.keyPrefix });
  if (config.mqttAdmin === undefined) return { registry: plain, close: async () => redis.disconnect() };
  let credentials: MosquittoDynsecCredentials;
  try {
    credentials = await MosquittoDynsecCredentials.connect(config.mqttUrl, config.mqttAdmin);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return {
    registry: new ProvisionedDeviceRegistry(plain, credentials),
    close: async () => {
      await credentials.close();
      redis.disconnect();
    },
  };
}

function parseTags(pairs: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) throw new UsageError(`--tag expects key=value, got '${pair}'`);
    tags[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return tags;
}

function oneDeviceId(positionals: readonly string[]): string {
  if (positionals.length !== 1) throw new UsageError('expected exactly one device id');
  return positionals[0] as string;
}

export function devicesCommands(loadConfig: () => Readonly<CliConfig>): Command[] {
  const add: Command = {
    path: ['devices', 'add'],
    summary: 'register a device with its token and tags (and its MQTT login)',
    usage: ADD_USAGE,
    async run(args: readonly string[], io: CommandIo): Promise<number> {
      const { values, positionals } = parseArgs({
        args: [...args],
        options: {
          token: { type: 'string' },
          'generate-token': { type: 'boolean', default: false },
          tag: { type: 'string', multiple: true, default: [] },
        },
        allowPositionals: true,
        strict: true,
      });
      const deviceId = oneDeviceId(positionals);
      if ((values.token === undefined) === !values['generate-token'])
        throw new UsageError('give exactly one of --token and --generate-token');
      const token = values.token ?? randomBytes(32).toString('base64url');
      if (token.length < MIN_TOKEN_LENGTH)
        throw new UsageError(`--token must be at least ${MIN_TOKEN_LENGTH} characters`);
      const tags = parseTags(values.tag);
      const { registry, close } = await openRegistry(loadConfig());
      try {
        await registry.register({ deviceId, tags, token });
      } finally {
        await close();
      }
      io.out(values['generate-token'] ? `registered ${deviceId}; token: ${token}` : `registered ${deviceId}`);
      return EXIT.ok;
    },
  };
  const remove: Command = {
    path: ['devices', 'remove'],
    summary: 'revoke a device’s MQTT login and remove it from the registry',
    usage: REMOVE_USAGE,
    async run(args: readonly string[], io: CommandIo): Promise<number> {
      const { positionals } = parseArgs({ args: [...args], allowPositionals: true, strict: true });
      const deviceId = oneDeviceId(positionals);
      const { registry, close } = await openRegistry(loadConfig());
      try {
        await registry.remove(deviceId);
      } finally {
        await close();
      }
      io.out(`removed ${deviceId}`);
      return EXIT.ok;
    },
  };
  const list: Command = {
    path: ['devices', 'list'],
    summary: 'list the registered devices and their tags',
    usage: LIST_USAGE,
    async run(args: readonly string[], io: CommandIo): Promise<number> {
      const { values } = parseArgs({
        args: [...args],
        options: { json: { type: 'boolean', default: false } },
        strict: true,
      });
      const config = loadConfig();
      const redis = createRedis(config.redis, { connectionName: 'cli', maxRetriesPerRequest: 2 });
      try {
        const devices = (
          await new RedisDeviceRegistry({ redis, keyPrefix: config.redis.keyPrefix }).list()
        ).sort((a, b) => (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0));
        if (values.json) io.out(JSON.stringify(devices));
        else
          for (const d of devices)
            io.out(
              `${d.deviceId}  ${Object.entries(d.tags)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')}`,
            );
      } finally {
        redis.disconnect();
      }
      return EXIT.ok;
    },
  };
  return [add, remove, list];
}
