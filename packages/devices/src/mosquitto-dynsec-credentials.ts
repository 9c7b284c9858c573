// Device logins on Mosquitto 2's dynamic-security plugin, managed over MQTT ($CONTROL/dynamic-security/v1) by an admin account.
import { randomBytes } from 'node:crypto';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { deviceReadingsTopic, type BrokerCredentials, type DeviceCredential } from './broker-credentials';
import { BrokerCredentialsError } from './broker-credentials-error';
import { assertDeviceId } from './device-record';
import type { MqttLogin } from './mqtt-login';

const CONTROL_TOPIC = '$CONTROL/dynamic-security/v1';
const RESPONSE_TOPIC = `${CONTROL_TOPIC}/response`;

export interface MosquittoDynsecCredentialsOptions {
  /** A client logged in with an account that may use the dynamic-security control topics. */
  client: MqttClient;
  /** close() ends the client too (set by `connect`, which opened it). */
  ownsClient?: boolean;
  /** How long one control message may wait for its answers; default 10 s. */
  timeoutMs?: number;
  /** Devices per control message; default 100. */
  batchSize?: number;
}

interface Command {
  command: string;
  [field: string]: unknown;
}

interface Response {
  command?: unknown;
  error?: unknown;
  data?: unknown;
}

interface Waiter {
  resolve: (response: Response) => void;
  reject: (err: unknown) => void;
}

/**
 * Mosquitto 2.0's dynamic-security ACLs have no %u pattern, so each device gets its own role, `device:<id>`,
 * allowing exactly `publishClientSend devices/<id>/readings`; the broker denies everything else by default.
 * The broker keeps only its own salted PBKDF2 hash of each token.
 */
export function deviceRoleOf(deviceId: string): string {
  return `device:${deviceId}`;
}

export class MosquittoDynsecCredentials implements BrokerCredentials {
  private readonly client: MqttClient;
  private readonly timeoutMs: number;
  private readonly batchSize: number;
  private readonly waiters = new Map<string, Waiter>();
  // Every admin client subscribed to the response topic sees every answer: ours carry this prefix.
  private readonly prefix = `liot-${randomBytes(6).toString('hex')}`;
  private nextId = 0;
  private subscribed: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: MosquittoDynsecCredentialsOptions) {
    this.client = options.client;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.batchSize = Math.max(1, options.batchSize ?? 100);
    this.client.on('message', this.onMessage);
  }

  /** Connects (MQTT 5, so refusals come with reason codes) as `login`; close() ends the connection. */
  static async connect(
    url: string,
    login: MqttLogin,
    options: Omit<MosquittoDynsecCredentialsOptions, 'client' | 'ownsClient'> & {
      clientOptions?: IClientOptions;
    } = {},
  ): Promise<MosquittoDynsecCredentials> {
    let client: MqttClient;
    try {
      client = await connectAsync(
        url,
        {
          protocolVersion: 5,
          clientId: `lambda-iot-provisioner-${randomBytes(4).toString('hex')}`,
          reconnectPeriod: 1_000,
          connectTimeout: 10_000,
          ...options.clientOptions,
          username: login.username,
          password: login.password,
        },
        false,
      );
    } catch (err) {
      const refused = typeof (err as { code?: unknown }).code === 'number';
      throw new BrokerCredentialsError(
        refused
          ? `the MQTT broker at ${redacted(url)} refused the admin login "${login.username}"`
          : `could not connect to the MQTT broker at ${redacted(url)}`,
        { code: refused ? 'broker_refused' : 'broker_unavailable', retriable: !refused, cause: err },
      );
    }
    const { clientOptions: _ignored, ...rest } = options;
    return new MosquittoDynsecCredentials({ ...rest, client, ownsClient: true });
  }

  async upsertDevices(devices: ReadonlyArray<DeviceCredential>): Promise<void> {
    const tokens = new Map<string, string>();
    for (const d of devices) {
      assertDeviceId(d.deviceId);
      if (typeof d.token !== 'string' || d.token === '') {
        throw new BrokerCredentialsError(`device ${d.deviceId} has no token to log in with`, {
          code: 'invalid_token',
          retriable: false,
        });
      }
      tokens.set(d.deviceId, d.token);
    }
    for (const chunk of chunksOf([...tokens], this.batchSize)) await this.upsertChunk(chunk);
  }

  async removeDevices(deviceIds: ReadonlyArray<string>): Promise<void> {
    deviceIds.forEach(assertDeviceId);
    for (const chunk of chunksOf([...new Set(deviceIds)], this.batchSize)) {
      const known = await this.deviceAccounts(chunk);
      const answers = await this.run([
        ...known.map((id) => ({ command: 'deleteClient', username: id })),
        ...chunk.map((id) => ({ command: 'deleteRole', rolename: deviceRoleOf(id) })),
      ]);
      answers.forEach((a) => expectOk(a, ['Client not found', 'Role not found']));
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.client.removeListener('message', this.onMessage);
      const closed = new BrokerCredentialsError('the broker credentials client is closed', {
        code: 'broker_unavailable',
        retriable: false,
      });
      for (const w of this.waiters.values()) w.reject(closed);
      this.waiters.clear();
      if (this.options.ownsClient) await this.client.endAsync().catch(() => undefined);
    })();
    return this.closing;
  }

  // Looks before it writes: a username that belongs to another kind of account stops the chunk unchanged.
  private async upsertChunk(chunk: ReadonlyArray<[string, string]>): Promise<void> {
    const known = new Set(await this.deviceAccounts(chunk.map(([id]) => id)));
    const answers = await this.run(
      chunk.flatMap(([id, token]) => {
        const role = { rolename: deviceRoleOf(id) };
        return [
          // Also for a known device: recreates a role someone deleted, else answers "already exists".
          {
            command: 'createRole',
            ...role,
            acls: [{ acltype: 'publishClientSend', topic: deviceReadingsTopic(id), allow: true }],
          },
          known.has(id)
            ? { command: 'modifyClient', username: id, password: token, roles: [role] }
            : { command: 'createClient', username: id, password: token, roles: [role] },
        ];
      }),
    );
    chunk.forEach(([id], i) => {
      expectOk(answers[2 * i], ['Role already exists']);
      const login = answers[2 * i + 1];
      if (login?.error === 'Client already exists') {
        throw new BrokerCredentialsError(
          `the broker login "${id}" was created concurrently; register it again`,
          {
            code: 'broker_conflict',
            retriable: true,
          },
        );
      }
      expectOk(login);
    });
  }

  /**
   * The ids among `deviceIds` that have a device login; throws if one of them names another kind of account
   * (the gateway's, the admin's), which must never be changed or deleted through a device.
   */
  private async deviceAccounts(deviceIds: readonly string[]): Promise<string[]> {
    const answers = await this.run(deviceIds.map((id) => ({ command: 'getClient', username: id })));
    const found: string[] = [];
    deviceIds.forEach((id, i) => {
      const answer = answers[i];
      if (answer?.error === 'Client not found') return;
      expectOk(answer);
      if (!isDeviceAccount(answer?.data, id)) {
        throw new BrokerCredentialsError(
          `the broker login "${id}" is not a device's; a device registration cannot change or delete it`,
          { code: 'not_a_device_account', retriable: false },
        );
      }
      found.push(id);
    });
    return found;
  }

  /** Sends the commands as one control message; resolves with their answers in order. */
  private async run(commands: Command[]): Promise<Response[]> {
    if (commands.length === 0) return [];
    if (this.closing) {
      throw new BrokerCredentialsError('the broker credentials client is closed', {
        code: 'broker_unavailable',
        retriable: false,
      });
    }
    await this.subscribe();
    const ids = commands.map(() => `${this.prefix}-${this.nextId++}`);
    const answers = ids.map(
      (id) => new Promise<Response>((resolve, reject) => this.waiters.set(id, { resolve, reject })),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BrokerCredentialsError(
              `the MQTT broker did not answer ${commands.length} dynamic-security commands within ${this.timeoutMs} ms`,
              { code: 'broker_unavailable', retriable: true },
            ),
          ),
        this.timeoutMs,
      );
    });
    try {
      const payload = JSON.stringify({
        commands: commands.map((c, i) => ({ ...c, correlationData: ids[i] })),
      });
      await Promise.race([
        this.client.publishAsync(CONTROL_TOPIC, payload, { qos: 1 }).catch((err: unknown) => {
          throw new BrokerCredentialsError('the MQTT broker refused a dynamic-security command message', {
            code:
              typeof (err as { code?: unknown }).code === 'number' ? 'broker_refused' : 'broker_unavailable',
            retriable: typeof (err as { code?: unknown }).code !== 'number',
            cause: err,
          });
        }),
        timeout,
      ]);
      return await Promise.race([Promise.all(answers), timeout]);
    } finally {
      clearTimeout(timer);
      for (const id of ids) this.waiters.delete(id);
      // Answers that will never be awaited now must not surface as unhandled rejections.
      answers.forEach((a) => a.catch(() => undefined));
    }
  }

  private subscribe(): Promise<void> {
    this.subscribed ??= this.client
      .subscribeAsync(RESPONSE_TOPIC, { qos: 1 })
      .then((grants) => {
        if (grants.some((g) => g.qos > 2)) throw new Error(`SUBACK ${grants.map((g) => g.qos).join(',')}`);
      })
      .catch((err: unknown) => {
        this.subscribed = undefined;
        throw new BrokerCredentialsError(
          `the MQTT broker did not let this account subscribe to ${RESPONSE_TOPIC} (not a dynamic-security admin?)`,
          { code: 'broker_refused', retriable: false, cause: err },
        );
      });
    return this.subscribed;
  }

  // Anything on the response topic that is not a well-formed answer to one of our commands is ignored.
  private readonly onMessage = (topic: string, payload: Buffer): void => {
    if (topic !== RESPONSE_TOPIC || this.waiters.size === 0) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    const responses = (parsed as { responses?: unknown } | null)?.responses;
    if (!Array.isArray(responses)) return;
    for (const r of responses as unknown[]) {
      if (typeof r !== 'object' || r === null) continue;
      const id = (r as { correlationData?: unknown }).correlationData;
      const waiter = typeof id === 'string' ? this.waiters.get(id) : undefined;
      if (!waiter) continue;
      this.waiters.delete(id as string);
      waiter.resolve(r as Response);
    }
  };
}

function expectOk(answer: Response | undefined, tolerated: readonly string[] = []): void {
  if (answer === undefined) {
    throw new BrokerCredentialsError('the MQTT broker left a dynamic-security command unanswered', {
      code: 'broker_unavailable',
      retriable: true,
    });
  }
  if (answer.error === undefined || tolerated.includes(String(answer.error))) return;
  throw new BrokerCredentialsError(
    `the MQTT broker refused ${String(answer.command)}: ${String(answer.error)}`.slice(0, 300),
    { code: 'broker_refused', retriable: false },
  );
}

/** A login made by this class: the device's own role and nothing more. */
function isDeviceAccount(data: unknown, deviceId: string): boolean {
  const client = (data as { client?: { roles?: unknown; groups?: unknown } } | null)?.client;
  const roles = Array.isArray(client?.roles) ? (client.roles as Array<{ rolename?: unknown }>) : [];
  const groups = Array.isArray(client?.groups) ? client.groups : [];
  return (
    roles.length > 0 && roles.every((r) => r?.rolename === deviceRoleOf(deviceId)) && groups.length === 0
  );
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The URL without a password in it, for messages. */
function redacted(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}
