// Mosquitto MQTT broker from Debian's package, run by the stack on its own port with device authentication.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { host, mqttAccounts, ports, serverDataDir } from './config.mjs';
import { ensureBinary, which } from './apt.mjs';
import { staleAccounts, writeDynsecState } from './mosquitto-dynsec.mjs';
import { portOpen, withTimeout } from './net.mjs';
import { run, spawnDetached } from './process.mjs';

const dir = serverDataDir('mosquitto');
const confFile = path.join(dir, 'mosquitto.conf');
const dynsecFile = path.join(dir, 'dynamic-security.json');
const PLUGIN = 'mosquitto_dynamic_security.so';
let binary;
let plugin;

// Debian ships the plugin in the mosquitto package, under the multiarch library directory.
function findPlugin() {
  const multiarch = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu', arm: 'arm-linux-gnueabihf' }[
    process.arch
  ];
  const candidates = [
    ...(multiarch ? [`/usr/lib/${multiarch}/${PLUGIN}`] : []),
    `/usr/lib/${PLUGIN}`,
    `/usr/local/lib/${PLUGIN}`,
    `/usr/lib/mosquitto/${PLUGIN}`,
  ];
  return candidates.find((file) => fs.existsSync(file));
}

// Started as root, mosquitto would switch to user "mosquitto", who cannot write our persistence directory.
// No anonymous clients: every connection logs in with an account of the dynamic-security plugin.
const conf = () => `listener ${ports.mqtt} ${host}
allow_anonymous false
plugin ${plugin}
plugin_opt_config_file ${dynsecFile}
persistence true
persistence_location ${dir}/
log_dest stdout
log_type error
log_type warning
log_type notice
log_type information
user ${os.userInfo().username}
`;

async function prepare(say) {
  binary = await ensureBinary('mosquitto', ['mosquitto', 'mosquitto-clients'], say);
  plugin = findPlugin();
  if (!plugin) {
    throw new Error(
      `mosquitto: ${PLUGIN} not found (it comes with Debian's mosquitto >= 2.0 package); ` +
        'install mosquitto 2.x or set MQTT_PORT to a broker of yours',
    );
  }
  fs.mkdirSync(dir, { recursive: true });
  writeDynsecState(dynsecFile, mqttAccounts);
  fs.writeFileSync(confFile, conf());
}

const start = () => spawnDetached('mosquitto', binary, ['-c', confFile], { cwd: dir });

/**
 * Why the broker the stack started earlier must be restarted before it can serve, if it must: one started by
 * an older stack listens elsewhere (1883) or lets anonymous clients in (its config file tells, since the stack
 * writes it just before each start), or the admin/gateway passwords were changed since (a restart rewrites them).
 */
function outdated() {
  let text;
  try {
    text = fs.readFileSync(confFile, 'utf8');
  } catch {
    return 'its configuration file is gone';
  }
  if (!text.includes(`listener ${ports.mqtt} ${host}\n`))
    return `it does not listen on ${host}:${ports.mqtt}`;
  if (!/^allow_anonymous false$/m.test(text) || !text.includes(dynsecFile)) {
    return 'it runs without device authentication';
  }
  const stale = staleAccounts(dynsecFile, mqttAccounts);
  if (stale.length > 0)
    return `its ${stale.join(' and ')} login differs from MQTT_${stale[0].toUpperCase()}_*`;
  return undefined;
}

const url = () => `mqtt://${host}:${ports.mqtt}`;

/** A broker's CONNACK refusal (bad login) carries a reason code; a network failure does not. */
const isRefusal = (err) => typeof err?.code === 'number';

/** Resolves to { client } on success, { refused: code } when the broker answered no, undefined on no answer. */
async function attempt(login) {
  if (!(await portOpen(host, ports.mqtt))) return undefined;
  try {
    const client = await withTimeout(
      mqtt.connectAsync(url(), { reconnectPeriod: 0, connectTimeout: 2000, ...login }, false),
      3000,
      'mqtt',
    );
    return { client };
  } catch (err) {
    return isRefusal(err) ? { refused: err.code } : undefined;
  }
}

// Any CONNACK means an MQTT broker is answering, even one that refuses our admin login (reported by verify).
async function probe() {
  const result = await attempt(mqttAccounts.admin);
  if (!result) return false;
  await result.client?.endAsync().catch(() => {});
  return true;
}

/**
 * What is wrong with the broker on the port as the project's broker: it must refuse anonymous clients and
 * accept the admin account. Empty when all is well.
 */
async function verify() {
  const problems = [];
  const anonymous = await attempt({});
  if (anonymous?.client) {
    problems.push('accepts anonymous clients, so any client can publish as any device');
    await anonymous.client.endAsync().catch(() => {});
  }
  const admin = await attempt(mqttAccounts.admin);
  if (admin?.refused !== undefined) {
    problems.push(
      `refuses the admin account "${mqttAccounts.admin.username}" (CONNACK ${admin.refused}): ` +
        'MQTT_ADMIN_USERNAME/MQTT_ADMIN_PASSWORD do not match this broker, so devices cannot be provisioned',
    );
  }
  await admin?.client?.endAsync().catch(() => {});
  return problems;
}

// The running broker announces its own version as a retained $SYS message; the binary is the fallback.
async function version() {
  const client = (await attempt(mqttAccounts.admin))?.client;
  if (client) {
    try {
      const v = await withTimeout(
        new Promise((resolve) => {
          client.on('message', (_topic, payload) =>
            resolve(payload.toString().replace(/^mosquitto version /, '')),
          );
          client.subscribe('$SYS/broker/version');
        }),
        1500,
        'mqtt',
      );
      if (v) return v;
    } catch {
      // $SYS disabled on this broker.
    } finally {
      await client.endAsync().catch(() => {});
    }
  }
  const bin = which('mosquitto');
  if (!bin) return '?';
  const { output } = await run(bin, ['-h']);
  return /mosquitto version (\S+)/.exec(output)?.[1] ?? '?';
}

export default {
  name: 'mosquitto',
  portVar: 'MQTT_PORT',
  address: () => `${host}:${ports.mqtt}`,
  port: () => ports.mqtt,
  kind: 'system',
  startTimeoutMs: 20_000,
  stopGraceMs: 10_000,
  dataDirs: [dir],
  prepare,
  start,
  outdated,
  probe,
  verify,
  version,
};
