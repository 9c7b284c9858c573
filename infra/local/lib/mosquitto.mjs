// Mosquitto MQTT broker from Debian's package; used as found when something already answers on the port.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { host, ports, serverDataDir } from './config.mjs';
import { ensureBinary, which } from './apt.mjs';
import { portOpen, withTimeout } from './net.mjs';
import { run, spawnDetached } from './process.mjs';

const dir = serverDataDir('mosquitto');
const confFile = path.join(dir, 'mosquitto.conf');
let binary;

// Started as root, mosquitto would switch to user "mosquitto", who cannot write our persistence directory.
const conf = () => `listener ${ports.mqtt} ${host}
allow_anonymous true
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
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(confFile, conf());
}

const start = () => spawnDetached('mosquitto', binary, ['-c', confFile], { cwd: dir });

async function connect() {
  if (!(await portOpen(host, ports.mqtt))) return undefined;
  try {
    return await withTimeout(
      mqtt.connectAsync(`mqtt://${host}:${ports.mqtt}`, { reconnectPeriod: 0, connectTimeout: 2000 }),
      3000,
      'mqtt',
    );
  } catch {
    return undefined;
  }
}

async function probe() {
  const client = await connect();
  if (!client) return false;
  await client.endAsync().catch(() => {});
  return true;
}

// The running broker announces its own version as a retained $SYS message; the binary is the fallback.
async function version() {
  const client = await connect();
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
  probe,
  version,
};
